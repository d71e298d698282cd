import { type Clock, systemClock, type TimerHandle } from "../util/clock.ts";
import { type Logger, silentLogger } from "../util/log.ts";
import { Errors } from "../wamp/errors.ts";
import type { Peer } from "../wamp/peer.ts";
import type { Serializer } from "../wamp/serializer.ts";
import type { ByteChannel, WireData } from "./channel.ts";
import { EDGE_RAWSOCKET_SERIALIZER_ID } from "./edge_link_frames.ts";
import { acceptEdgeRawSocket, type EdgeLinkAcceptOptions } from "./edge_link_server.ts";
import { sharedEncoders } from "./encode_once.ts";
import { CloseCode, createFramedPeer, errorText, type FramedPeer } from "./framed_peer.ts";
import type { OutboundOptions } from "./outbound_queue.ts";
import {
  encodeFrame,
  exponentLength,
  FrameReader,
  FrameType,
  HandshakeError,
  handshakeErrorName,
  handshakeErrorReply,
  lengthExponent,
  MAGIC,
} from "./rawsocket_framing.ts";

export interface RawSocketPeerOptions {
  /** Largest incoming message, in bytes; announced rounded down to a power of two. Default 16 MiB. */
  maxMessageLength?: number;
  outbound?: OutboundOptions;
  clock?: Clock;
  logger?: Logger;
  closeTimeoutMs?: number;
}

export interface RawSocketAcceptOptions extends RawSocketPeerOptions {
  serializers: readonly Serializer[];
  /** Receives each peer whose handshake succeeded. */
  onPeer(peer: Peer): void;
  /** Return false to refuse the connection with error 4 (maximum connection count reached). */
  admit?(): boolean;
  /** Refuse (error 2) clients that accept less than this many bytes. Default: accept all. */
  minClientMessageLength?: number;
  /** Close a connection that has not completed the handshake in time. Default 10000 ms. */
  handshakeTimeoutMs?: number;
  /** With it, serializer id 15 hands the connection to a Causeway edge link (edge_link_server.ts). */
  edge?: EdgeLinkAcceptOptions;
}

const utf8 = new TextEncoder();

// RawSocket frames carry bytes; JSON's text is UTF-8 encoded. The framed bytes (prefix
// included) are what is cached, so fan-out copies nothing per subscriber.
const rawEncoder = sharedEncoders((s: Serializer) => (msg) => {
  const out = s.encode(msg);
  return encodeFrame(FrameType.MESSAGE, typeof out === "string" ? utf8.encode(out) : out);
});

/** Announced maximum message length for a configured one: a power of two in 512..16 MiB. */
export function announcedLength(maxMessageLength: number | undefined): number {
  return exponentLength(lengthExponent(maxMessageLength ?? 2 ** 24));
}

/**
 * Server side of WAMP-over-RawSocket on one accepted connection: the handshake, then a Peer.
 * Never throws; every failure ends the connection (and is logged).
 */
export function acceptRawSocket(channel: ByteChannel, options: RawSocketAcceptOptions): void {
  const log = (options.logger ?? silentLogger).child({
    transport: "rawsocket",
    remote: channel.remoteAddress,
  });
  const clock = options.clock ?? options.outbound?.clock ?? systemClock;
  const hello = new Uint8Array(4);
  let fill = 0;
  let done = false;
  const timer: TimerHandle = clock.setTimeout(() => {
    log.info("rawsocket handshake timed out");
    finish();
    channel.destroy();
  }, options.handshakeTimeoutMs ?? 10_000);
  const finish = () => {
    done = true;
    clock.clearTimeout(timer);
  };
  const refuse = (code: number) => {
    log.info("rawsocket handshake refused", { error: handshakeErrorName(code) });
    finish();
    channel.write(handshakeErrorReply(code));
    channel.end();
    clock.setTimeout(() => channel.destroy(), options.closeTimeoutMs ?? 3000);
  };

  channel.onClose = () => finish();
  channel.onDrain = () => {};
  channel.onData = (chunk) => {
    if (done) return;
    try {
      handshake(chunk);
    } catch (err) {
      log.error("rawsocket handshake failed", { error: errorText(err) });
      finish();
      channel.destroy();
    }
  };
  const handshake = (chunk: Uint8Array) => {
    let i = 0;
    while (fill < 4 && i < chunk.length) hello[fill++] = chunk[i++];
    if (fill === 0) return;
    if (hello[0] !== MAGIC) {
      // Not WAMP-over-RawSocket: "fail the connection", no reply.
      log.info("not a rawsocket handshake; closing", { firstByte: hello[0] });
      finish();
      channel.destroy();
      return;
    }
    if (fill < 4) return;
    const serializerId = hello[1] & 0x0f;
    const serializer = options.serializers.find((s) => s.rawsocketId === serializerId);
    const clientMax = exponentLength(hello[1] >> 4);
    if (hello[2] !== 0 || hello[3] !== 0) return refuse(HandshakeError.RESERVED_BITS);
    // Serializer id 15 on a listener with edge links: the same checks and reply, then the
    // connection belongs to the edge link instead of a WAMP peer.
    const edge = serializerId === EDGE_RAWSOCKET_SERIALIZER_ID ? options.edge : undefined;
    if (!serializer && !edge) return refuse(HandshakeError.SERIALIZER_UNSUPPORTED);
    if (clientMax < (options.minClientMessageLength ?? 0)) {
      return refuse(HandshakeError.MAX_LENGTH_UNACCEPTABLE);
    }
    if (options.admit && !safeAdmit(options.admit, log)) return refuse(HandshakeError.MAX_CONNECTIONS);
    finish();
    const ourMax = announcedLength(options.maxMessageLength);
    channel.write(Uint8Array.of(MAGIC, (lengthExponent(ourMax) << 4) | serializerId, 0, 0));
    if (edge) return acceptEdgeRawSocket(channel, ourMax, edge, chunk.subarray(i));
    const { peer, feed } = startRawSocketPeer(channel, serializer!, ourMax, clientMax, options);
    try {
      options.onPeer(peer);
    } catch (err) {
      log.error("onPeer threw", { error: errorText(err) });
    }
    if (i < chunk.length) feed(chunk.subarray(i));
  };
}

function safeAdmit(admit: () => boolean, log: Logger): boolean {
  try {
    return admit();
  } catch (err) {
    log.error("admit threw", { error: errorText(err) });
    return false;
  }
}

/**
 * Runs a Peer over a channel whose handshake is done (both sides use it). `ourMax` is the
 * length we announced (incoming limit); `theirMax` the one the other side announced.
 */
export function startRawSocketPeer(
  channel: ByteChannel,
  serializer: Serializer,
  ourMax: number,
  theirMax: number,
  options: RawSocketPeerOptions,
): { peer: FramedPeer; feed: (chunk: Uint8Array) => void } {
  const peer = createFramedPeer({
    details: {
      transport: "rawsocket",
      serializer: serializer.name,
      remoteAddress: channel.remoteAddress,
      remotePort: channel.remotePort,
      tls: channel.tls,
    },
    get bufferedAmount() {
      return channel.bufferedBytes;
    },
    encode: rawEncoder(serializer),
    frameOverhead: 4,
    writeBatch: (items) => void channel.write(concat(items)),
    close: () => channel.end(),
    terminate: () => channel.destroy(),
  }, {
    serializer,
    maxMessageLength: ourMax,
    maxOutgoingLength: theirMax,
    outbound: options.outbound,
    clock: options.clock,
    logger: options.logger,
    closeTimeoutMs: options.closeTimeoutMs,
  });
  const reader = new FrameReader(ourMax, (type, payload) => {
    if (peer.closed) return reader.stop();
    if (type === FrameType.MESSAGE) peer.receive(payload);
    // WAMP RawSocket: "A Peer MUST reply to each PING by sending exactly one PONG immediately,
    // and the PONG MUST echo back the payload of the PING exactly."
    else if (type === FrameType.PING) peer.pushRaw(encodeFrame(FrameType.PONG, payload));
  }, (message, tooLarge) => {
    (options.logger ?? silentLogger).warn("rawsocket framing error; closing", {
      remote: channel.remoteAddress,
      error: message,
    });
    if (tooLarge) peer.abort(Errors.MESSAGE_TOO_LARGE, message, CloseCode.MESSAGE_TOO_BIG);
    else peer.abort(Errors.PROTOCOL_VIOLATION, message, CloseCode.PROTOCOL_ERROR);
  });
  const feed = (chunk: Uint8Array) => {
    try {
      reader.feed(chunk);
    } catch (err) {
      // Defensive: the reader and the peer catch their own errors; this must never escape.
      (options.logger ?? silentLogger).error("rawsocket read failed", { error: errorText(err) });
      reader.stop();
      channel.destroy();
    }
  };
  channel.onData = feed;
  channel.onClose = () => {
    reader.stop();
    peer.transportClosed();
  };
  channel.onDrain = () => peer.drained();
  return { peer, feed };
}

function concat(items: WireData[]): Uint8Array {
  if (items.length === 1) return items[0] as Uint8Array;
  let total = 0;
  for (const item of items) total += (item as Uint8Array).byteLength;
  const out = new Uint8Array(total);
  let at = 0;
  for (const item of items) {
    out.set(item as Uint8Array, at);
    at += (item as Uint8Array).byteLength;
  }
  return out;
}
