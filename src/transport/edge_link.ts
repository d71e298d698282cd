import { type Clock, systemClock, type TimerHandle } from "../util/clock.ts";
import { type Logger, silentLogger } from "../util/log.ts";
import { ProtocolViolation } from "../wamp/errors.ts";
import type { Message } from "../wamp/messages.ts";
import type { Peer, PeerDetails } from "../wamp/peer.ts";
import type { Serializer } from "../wamp/serializer.ts";
import type { LinkCarrier } from "./edge_link_carriers.ts";
import { ChannelPeer } from "./edge_link_channel.ts";
import {
  decodeLinkFrame,
  encodeJsonFrame,
  encodeLinkFrame,
  type LinkFrame,
  LinkAbortReason,
  LinkFrameType,
  linkFrameTypeName,
  LinkProtocolError,
  parseCloseReason,
  parseLinkAbort,
} from "./edge_link_frames.ts";
import { sharedEncoders } from "./encode_once.ts";
import { errorText } from "./framed_peer.ts";
import { type OutboundOptions, OutboundQueue } from "./outbound_queue.ts";

/**
 * The shared core of a Causeway edge link (both ends): frame dispatch, channels with one Peer
 * each, PING/PONG, LINK_ABORT, graceful close and terminate, and ONE bounded outbound queue
 * for the whole link — the slow-consumer rule applies to the link, since all channels share
 * one socket. The wire format is in edge_link_frames.ts; the handshakes are in
 * edge_link_server.ts (core) and edge_link_client.ts (edge); the carriers in
 * edge_link_carriers.ts; a channel's Peer in edge_link_channel.ts.
 */

export interface EdgeLinkCoreOptions {
  role: "core" | "edge";
  /** Largest incoming link frame, in bytes. */
  maxMessageLength: number;
  outbound?: OutboundOptions;
  clock?: Clock;
  logger?: Logger;
  /** How long a graceful close may take before the socket is cut. Default 3000 ms. */
  closeTimeoutMs?: number;
}

type LinkState = "handshake" | "open" | "closing" | "closed";

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

// DATA payloads: the serializer's bytes (JSON as UTF-8), cached per message so fan-out to many
// channels (and links) with one serializer encodes once.
const payloadEncoder = sharedEncoders((s: Serializer) => (msg) => {
  const out = s.encode(msg);
  return typeof out === "string" ? utf8.encode(out) : out;
});

/**
 * One link (either end). The handshake is driven from outside through `handshakeFrame` until
 * `open()` is called; after that the link dispatches frames itself.
 */
export class EdgeLink {
  state: LinkState = "handshake";
  /** Clock ms of the last frame received (of any type). */
  lastReceivedAt: number;
  /** Handles frames while in "handshake" (LINK_ABORT and PING are handled by the link). */
  handshakeFrame: (frame: LinkFrame) => void = () => {};
  /** Core role: a new channel was opened by the edge. */
  onChannel: (peer: Peer) => void = () => {};
  /** Called once when the link is gone, with a reason text. */
  onClose: (reason: string) => void = () => {};
  readonly clock: Clock;
  readonly log: Logger;
  /** The other side's node id, once known. */
  remoteNode = "";
  private serializer: Serializer | undefined;
  private encodePayload: ((msg: Message) => Uint8Array) | undefined;
  /** Largest link frame the other side accepts (undefined: it announced none). */
  private theirMax: number | undefined;
  private maxChannels = Infinity;
  private readonly channels = new Map<number, ChannelPeer>();
  /** Highest channel id ever opened on this link: ids only grow, so none is reused. */
  private highestChannel = 0;
  private readonly queue: OutboundQueue;
  private readonly pings = new Map<string, { sentAt: number; resolve: (ms: number) => void; reject: (e: Error) => void; timer: TimerHandle }>();
  private pingCounter = 0;
  private closeReason = "";
  private closeTimer: TimerHandle | undefined;
  private watchTimer: TimerHandle | undefined;
  private readonly onSlowConsumerHook: OutboundOptions["onSlowConsumer"];

  constructor(readonly carrier: LinkCarrier, private readonly opts: EdgeLinkCoreOptions) {
    this.clock = opts.clock ?? opts.outbound?.clock ?? systemClock;
    this.log = (opts.logger ?? silentLogger).child({ transport: "edge", remote: carrier.remoteAddress });
    this.lastReceivedAt = this.clock.now();
    this.onSlowConsumerHook = opts.outbound?.onSlowConsumer;
    this.queue = new OutboundQueue({
      get bufferedAmount() {
        return carrier.bufferedAmount;
      },
      writeBatch: (items) => this.guard("write", () => carrier.writeBatch(items as Uint8Array[])),
      slowConsumer: () => this.slowConsumer(),
    }, { ...opts.outbound, clock: this.clock });
    carrier.onFrame = (data) => this.receive(data);
    carrier.onClose = (why) => this.finish(why ?? (this.closeReason || "connection closed by the other side"));
    carrier.onDrain = () => this.queue.check();
    carrier.onError = (message, tooLarge) =>
      this.abort(tooLarge ? LinkAbortReason.MESSAGE_TOO_LARGE : LinkAbortReason.PROTOCOL_VIOLATION, message);
  }

  get details(): PeerDetails {
    return {
      transport: "edge",
      serializer: this.serializer?.name ?? "",
      remoteAddress: this.carrier.remoteAddress,
      remotePort: this.carrier.remotePort,
      tls: this.carrier.tls,
    };
  }

  get bufferedBytes(): number {
    return this.state === "closed" ? 0 : this.queue.totalBytes;
  }

  get overLimit(): boolean {
    return this.state !== "closed" && this.queue.overLimit;
  }

  get openChannels(): number {
    return this.channels.size;
  }

  /** Handshake done: channels may flow. */
  open(serializer: Serializer, theirMax: number | undefined, maxChannels = Infinity): void {
    if (this.state !== "handshake") return;
    this.state = "open";
    this.serializer = serializer;
    this.encodePayload = payloadEncoder(serializer);
    this.theirMax = theirMax;
    this.maxChannels = maxChannels;
  }

  /** Queues one encoded link frame. */
  sendFrame(frame: Uint8Array): void {
    if (this.state === "closed") return;
    this.queue.push(frame, frame.byteLength);
  }

  /**
   * Edge role: opens the next channel (odd ids, increasing). On a link that is closing or
   * closed the Peer comes back already closed (its onClose fires on the next microtask), so a
   * caller racing the link's end sees an ordinary lost session instead of an exception.
   */
  openChannel(): Peer {
    if (this.state !== "open") {
      const dead = new ChannelPeer(this, 0);
      dead.closed = true;
      const why = `the edge link is ${this.state === "handshake" ? "not open yet" : "closed"}`;
      queueMicrotask(() => dead.transportClosed(why));
      return dead;
    }
    const id = this.highestChannel === 0 ? 1 : this.highestChannel + 2;
    this.highestChannel = id;
    const peer = new ChannelPeer(this, id);
    this.channels.set(id, peer);
    this.sendFrame(encodeLinkFrame(LinkFrameType.OPEN, id));
    return peer;
  }

  /** Sends PING and resolves with the round trip in ms when its PONG arrives. */
  ping(timeoutMs: number): Promise<number> {
    if (this.state !== "open") return Promise.reject(new Error(`cannot ping: the edge link is ${this.state}`));
    const payload = new Uint8Array(8);
    const n = ++this.pingCounter;
    new DataView(payload.buffer).setUint32(0, n);
    crypto.getRandomValues(payload.subarray(4));
    const key = hex(payload);
    return new Promise<number>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.pings.delete(key);
        reject(new Error(`no PONG from ${this.remoteNode || this.carrier.remoteAddress} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pings.set(key, { sentAt: this.clock.now(), resolve, reject, timer });
      this.sendFrame(encodeLinkFrame(LinkFrameType.PING, 0, payload));
    });
  }

  /**
   * Half-open detection from this end: after `intervalMs` without any frame, PING; no PONG
   * within `timeoutMs` terminates the link (its channels' sessions end). The core uses it so
   * that an edge which vanished without FIN does not keep stale sessions and registrations.
   */
  watchIdle(intervalMs: number, timeoutMs: number): void {
    const check = () => {
      this.watchTimer = undefined;
      if (this.state !== "open") return;
      const idle = this.clock.now() - this.lastReceivedAt;
      if (idle < intervalMs) {
        this.watchTimer = this.clock.setTimeout(check, intervalMs - idle);
        return;
      }
      this.ping(timeoutMs).then(check, (err: Error) => {
        if (this.state !== "open") return;
        this.log.warn("edge link silent; terminating", { node: this.remoteNode, error: err.message });
        this.terminate(`keepalive: ${err.message}`);
      });
    };
    if (this.watchTimer) this.clock.clearTimeout(this.watchTimer);
    this.watchTimer = this.clock.setTimeout(check, intervalMs);
  }

  /** Graceful: CLOSE for each open channel, then the carrier. */
  close(reason = "link closed"): void {
    if (this.state === "closing" || this.state === "closed") return;
    for (const id of [...this.channels.keys()]) {
      this.sendFrame(encodeJsonFrame(LinkFrameType.CLOSE, id, { reason }));
    }
    this.shutdown(reason, false);
  }

  /** LINK_ABORT {reason, message}, then close. Logged as an error. */
  abort(reason: string, message: string): void {
    if (this.state === "closing" || this.state === "closed") return;
    this.log.error("edge link aborted", { reason, message, node: this.remoteNode || undefined });
    this.sendFrame(encodeJsonFrame(LinkFrameType.LINK_ABORT, 0, { reason, message }));
    this.shutdown(`${reason}: ${message}`, reason === LinkAbortReason.PROTOCOL_VIOLATION);
  }

  /** Abrupt: drops the socket without sending anything. */
  terminate(reason = "link terminated"): void {
    if (this.state === "closed") return;
    this.closeReason ||= reason;
    this.guard("terminate", () => this.carrier.terminate());
    this.finish(this.closeReason);
  }

  /** A channel peer closed itself: CLOSE to the other side. */
  channelClosed(id: number, reason: string): void {
    if (!this.channels.delete(id)) return;
    this.sendFrame(encodeJsonFrame(LinkFrameType.CLOSE, id, { reason }));
  }

  encode(msg: Message): Uint8Array {
    return this.encodePayload!(msg);
  }

  /** Largest link frame the other side accepts, if it said. */
  get outgoingLimit(): number | undefined {
    return this.theirMax;
  }

  decode(payload: Uint8Array): Message {
    const s = this.serializer!;
    if (s.binary) return s.decode(payload);
    let text: string;
    try {
      text = utf8Decoder.decode(payload);
    } catch {
      throw new ProtocolViolation("DATA payload on a JSON link is not valid UTF-8");
    }
    return s.decode(text);
  }

  private receive(data: Uint8Array | string): void {
    if (this.state === "closing" || this.state === "closed") return;
    this.lastReceivedAt = this.clock.now();
    try {
      if (typeof data === "string") throw new LinkProtocolError("text WebSocket message on an edge link (link frames are binary)");
      if (data.byteLength > this.opts.maxMessageLength) {
        throw new LinkProtocolError(
          `link frame of ${data.byteLength} bytes exceeds the maximum message length of ${this.opts.maxMessageLength} bytes`,
          LinkAbortReason.MESSAGE_TOO_LARGE,
        );
      }
      this.dispatch(decodeLinkFrame(data));
    } catch (err) {
      if (err instanceof LinkProtocolError) this.abort(err.reason, err.message);
      else {
        this.log.error("edge link frame handling failed", { error: errorText(err) });
        this.abort(LinkAbortReason.PROTOCOL_VIOLATION, `internal error: ${errorText(err)}`);
      }
    }
  }

  private dispatch(frame: LinkFrame): void {
    const { type, channel } = frame;
    if (type <= LinkFrameType.PONG && type >= LinkFrameType.LINK_HELLO && channel !== 0) {
      throw new LinkProtocolError(`${linkFrameTypeName(type)} on channel ${channel} (link frames use channel 0)`);
    }
    switch (type) {
      case LinkFrameType.LINK_ABORT: {
        const a = parseLinkAbort(frame);
        this.log.error("edge link aborted by the other side", { reason: a.reason, message: a.message, node: this.remoteNode || undefined });
        this.closeReason = `${a.reason}: ${a.message}`;
        this.guard("close", () => this.carrier.close(false));
        this.finish(this.closeReason);
        return;
      }
      case LinkFrameType.PING:
        this.sendFrame(encodeLinkFrame(LinkFrameType.PONG, 0, frame.payload));
        return;
      case LinkFrameType.PONG: {
        const key = hex(frame.payload);
        const p = this.pings.get(key);
        if (!p) return; // a late PONG for a ping that timed out
        this.pings.delete(key);
        this.clock.clearTimeout(p.timer);
        p.resolve(this.clock.now() - p.sentAt);
        return;
      }
    }
    if (this.state === "handshake") {
      this.handshakeFrame(frame);
      return;
    }
    switch (type) {
      case LinkFrameType.DATA: {
        const peer = this.channelFor(frame, "DATA");
        peer?.receive(frame.payload);
        return;
      }
      case LinkFrameType.OPEN:
        return this.remoteOpen(channel);
      case LinkFrameType.CLOSE: {
        const peer = this.channelFor(frame, "CLOSE");
        if (!peer) return;
        this.channels.delete(channel);
        peer.transportClosed(parseCloseReason(frame));
        return;
      }
      case LinkFrameType.LINK_HELLO:
      case LinkFrameType.LINK_WELCOME:
        throw new LinkProtocolError(`${linkFrameTypeName(type)} after the link handshake`);
      default:
        throw new LinkProtocolError(`${linkFrameTypeName(type)} on channel ${channel}`);
    }
  }

  /** The open channel a DATA/CLOSE is for; undefined for one already closed (frames cross). */
  private channelFor(frame: LinkFrame, what: string): ChannelPeer | undefined {
    const id = frame.channel;
    const peer = this.channels.get(id);
    if (peer) return peer;
    if (id === 0 || id % 2 === 0 || id > this.highestChannel) {
      throw new LinkProtocolError(`${what} on channel ${id}, which was never opened`);
    }
    return undefined;
  }

  private remoteOpen(id: number): void {
    if (this.opts.role !== "core") throw new LinkProtocolError(`OPEN from the core (channel ${id}): only the edge opens channels`);
    if (id % 2 === 0) throw new LinkProtocolError(`OPEN of channel ${id}: edge channel ids are odd`);
    if (id <= this.highestChannel) {
      throw new LinkProtocolError(`OPEN of channel ${id}: channel ids must increase within a link (highest so far ${this.highestChannel})`);
    }
    this.highestChannel = id;
    if (this.channels.size >= this.maxChannels) {
      this.log.warn("edge link channel refused: too many channels", { channel: id, max: this.maxChannels });
      this.sendFrame(encodeJsonFrame(LinkFrameType.CLOSE, id, {
        reason: `too many channels: this core accepts at most ${this.maxChannels} per link`,
      }));
      return;
    }
    const peer = new ChannelPeer(this, id);
    this.channels.set(id, peer);
    try {
      this.onChannel(peer);
    } catch (err) {
      this.log.error("onChannel threw", { error: errorText(err) });
    }
  }

  private shutdown(reason: string, protocolError: boolean): void {
    this.state = "closing";
    this.closeReason = reason;
    this.queue.flush();
    this.closeChannels(reason);
    this.guard("close", () => this.carrier.close(protocolError));
    this.closeTimer = this.clock.setTimeout(() => {
      this.closeTimer = undefined;
      this.guard("terminate", () => this.carrier.terminate());
      this.finish(reason);
    }, this.opts.closeTimeoutMs ?? 3000);
  }

  private closeChannels(reason: string): void {
    const peers = [...this.channels.values()];
    this.channels.clear();
    for (const p of peers) p.transportClosed(reason);
  }

  private finish(reason: string): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.queue.dispose();
    if (this.closeTimer) this.clock.clearTimeout(this.closeTimer);
    this.closeTimer = undefined;
    if (this.watchTimer) this.clock.clearTimeout(this.watchTimer);
    this.watchTimer = undefined;
    this.closeChannels(reason);
    for (const p of this.pings.values()) {
      this.clock.clearTimeout(p.timer);
      p.reject(new Error(`edge link closed: ${reason}`));
    }
    this.pings.clear();
    try {
      this.onClose(reason);
    } catch (err) {
      this.log.error("link close handler threw", { error: errorText(err) });
    }
  }

  private slowConsumer(): void {
    const max = this.queue.maxBufferedBytes;
    this.log.warn("closing slow edge link", { buffered: this.queue.totalBytes, max });
    this.queue.discard();
    const first = this.channels.values().next().value;
    if (first) {
      try {
        this.onSlowConsumerHook?.(first);
      } catch (err) {
        this.log.error("onSlowConsumer threw", { error: errorText(err) });
      }
    }
    this.abort(LinkAbortReason.SLOW_CONSUMER, `the other side did not read: more than ${max} bytes buffered on the link for too long`);
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.warn(`edge link socket ${what} failed`, { error: errorText(err) });
      if (what !== "terminate") this.finish(`socket ${what} failed: ${errorText(err)}`);
    }
  }
}

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}
