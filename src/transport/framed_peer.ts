import { type Clock, systemClock, type TimerHandle } from "../util/clock.ts";
import { type Logger, silentLogger } from "../util/log.ts";
import { Errors, ProtocolViolation } from "../wamp/errors.ts";
import { MessageType } from "../wamp/message_type.ts";
import type { Message } from "../wamp/messages.ts";
import type { Peer, PeerDetails } from "../wamp/peer.ts";
import type { Serializer } from "../wamp/serializer.ts";
import type { WireData } from "./channel.ts";
import { type OutboundOptions, OutboundQueue, wireSize } from "./outbound_queue.ts";

/** WebSocket close codes used at the peer boundary (RFC 6455 §7.4.1). */
export const CloseCode = {
  NORMAL: 1000,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
} as const;

/**
 * A message-framed connection, as the framed peer needs it: WebSocket frames or RawSocket
 * frames. The transport (websocket.ts, rawsocket.ts) implements it over its channel.
 */
export interface FrameSink {
  readonly details: PeerDetails;
  /** Bytes the runtime still holds for the socket. */
  readonly bufferedAmount: number;
  /** Message → wire item, through a shared encode-once cache. May throw. */
  encode(msg: Message): WireData;
  /** Bytes of framing inside each encoded item (4 for RawSocket), excluded from length limits. */
  readonly frameOverhead: number;
  /** Writes one turn's batch, in order (inside `cork` where the runtime has it). */
  writeBatch(items: WireData[]): void;
  /** Graceful close after what was written. */
  close(code: number, reason: string): void;
  /** Abrupt close, when a graceful one did not complete in time. */
  terminate(): void;
}

export interface FramedPeerOptions {
  serializer: Serializer;
  /** Largest incoming message accepted, in bytes. */
  maxMessageLength: number;
  /** Largest outgoing message the other side accepts (RawSocket handshake), in bytes. */
  maxOutgoingLength?: number;
  outbound?: OutboundOptions;
  clock?: Clock;
  logger?: Logger;
  /** How long a graceful close may take before the connection is cut. Default 3000 ms. */
  closeTimeoutMs?: number;
}

/** A Peer plus the entry points its transport drives. */
export interface FramedPeer extends Peer {
  /** One complete incoming message (a WebSocket frame, a RawSocket WAMP frame). */
  receive(data: WireData): void;
  /** The connection is gone. Fires `onClose` once. */
  transportClosed(): void;
  /** The runtime reported that buffered output went down. */
  drained(): void;
  /** Queues an already framed item outside the message path (RawSocket PONG). */
  pushRaw(item: WireData): void;
  /** Fails the connection: ABORT `reason` {message}, then close with `code`. */
  abort(reason: string, message: string, code: number): void;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function createFramedPeer(sink: FrameSink, opts: FramedPeerOptions): FramedPeer {
  return new FramedPeerImpl(sink, opts);
}

class FramedPeerImpl implements FramedPeer {
  onMessage: (msg: Message) => void = () => {};
  onClose: () => void = () => {};
  closed = false;
  private closeNotified = false;
  private closeTimer: TimerHandle | undefined;
  private readonly queue: OutboundQueue;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly serializer: Serializer;

  constructor(private readonly sink: FrameSink, private readonly opts: FramedPeerOptions) {
    this.serializer = opts.serializer;
    this.clock = opts.clock ?? opts.outbound?.clock ?? systemClock;
    this.log = (opts.logger ?? silentLogger).child({
      transport: sink.details.transport,
      remote: sink.details.remoteAddress,
    });
    this.queue = new OutboundQueue({
      get bufferedAmount() {
        return sink.bufferedAmount;
      },
      writeBatch: (items) => this.writeBatch(items),
      slowConsumer: () => this.slowConsumer(),
    }, { ...opts.outbound, clock: this.clock });
  }

  get details(): PeerDetails {
    return this.sink.details;
  }

  get buffered(): number {
    return this.closeNotified ? 0 : this.queue.totalBytes;
  }

  get overLimit(): boolean {
    return !this.closeNotified && this.queue.overLimit;
  }

  send(msg: Message): boolean {
    if (this.closed) return false;
    return this.enqueue(msg);
  }

  close(code: number = CloseCode.NORMAL, reason = ""): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.flush();
    this.guard("close", () => this.sink.close(code, reason));
    // A peer that never completes the close handshake must not hold the connection forever.
    this.closeTimer = this.clock.setTimeout(() => {
      this.closeTimer = undefined;
      this.guard("terminate", () => this.sink.terminate());
      this.transportClosed();
    }, this.opts.closeTimeoutMs ?? 3000);
  }

  abort(reason: string, message: string, code: number): void {
    if (this.closed) return;
    this.enqueue({ type: MessageType.ABORT, details: { message }, reason });
    this.close(code, reason);
  }

  receive(data: WireData): void {
    if (this.closed) return;
    const size = wireSize(data);
    if (size > this.opts.maxMessageLength) {
      const text = `message of ${size} bytes exceeds the maximum message length of ` +
        `${this.opts.maxMessageLength} bytes`;
      this.log.warn("incoming message too large", { size, max: this.opts.maxMessageLength });
      this.abort(Errors.MESSAGE_TOO_LARGE, text, CloseCode.MESSAGE_TOO_BIG);
      return;
    }
    let msg: Message;
    try {
      msg = this.decode(data);
    } catch (err) {
      const text = err instanceof ProtocolViolation
        ? err.message
        : `cannot decode ${this.serializer.name} message: ${errorText(err)}`;
      this.log.warn("protocol violation", { error: text });
      this.abort(Errors.PROTOCOL_VIOLATION, text, CloseCode.PROTOCOL_ERROR);
      return;
    }
    try {
      this.onMessage(msg);
    } catch (err) {
      this.log.error("message handler threw", { error: errorText(err), type: msg.type });
    }
  }

  transportClosed(): void {
    if (this.closeNotified) return;
    this.closeNotified = true;
    this.closed = true;
    this.queue.dispose();
    if (this.closeTimer) this.clock.clearTimeout(this.closeTimer);
    this.closeTimer = undefined;
    try {
      this.onClose();
    } catch (err) {
      this.log.error("close handler threw", { error: errorText(err) });
    }
  }

  drained(): void {
    this.queue.check();
  }

  pushRaw(item: WireData): void {
    if (this.closed) return;
    this.queue.push(item, wireSize(item));
  }

  private decode(data: WireData): Message {
    if (this.serializer.binary) {
      if (typeof data === "string") {
        throw new ProtocolViolation(
          `text frame received on a ${this.serializer.name} session (binary frames expected)`,
        );
      }
      return this.serializer.decode(data);
    }
    // A JSON session tolerates binary frames carrying UTF-8 text.
    if (typeof data !== "string") {
      try {
        data = utf8.decode(data);
      } catch {
        throw new ProtocolViolation("binary frame on a JSON session is not valid UTF-8");
      }
    }
    return this.serializer.decode(data);
  }

  private enqueue(msg: Message): boolean {
    let item: WireData;
    try {
      item = this.sink.encode(msg);
    } catch (err) {
      this.log.error("cannot encode message", { error: errorText(err), type: msg.type });
      return false;
    }
    const size = wireSize(item);
    const limit = this.opts.maxOutgoingLength;
    if (limit !== undefined && size - this.sink.frameOverhead > limit) {
      return this.tooLargeForPeer(msg, size - this.sink.frameOverhead, limit);
    }
    this.queue.push(item, size);
    return true;
  }

  /**
   * WAMP RawSocket: a router MUST NOT send a message longer than the client accepts; what to do
   * instead is left to the implementation. A RESULT or ERROR becomes an ERROR naming the
   * limit (the caller learns why instead of waiting forever); anything else is dropped with a
   * warning. Either way `send` returns false: the message was not delivered.
   */
  private tooLargeForPeer(msg: Message, size: number, limit: number): boolean {
    const text = `message of ${size} bytes exceeds the ${limit} bytes the peer accepts`;
    this.log.warn("outgoing message too large for peer; not sent", {
      type: msg.type,
      size,
      limit,
    });
    if (msg.type === MessageType.RESULT || msg.type === MessageType.ERROR) {
      this.enqueue({
        type: MessageType.ERROR,
        requestType: msg.type === MessageType.RESULT ? MessageType.CALL : msg.requestType,
        request: msg.request,
        details: {},
        error: Errors.MESSAGE_TOO_LARGE,
        args: [text],
      });
    }
    return false;
  }

  private writeBatch(items: WireData[]): void {
    // guard() inlined: this runs once per peer per turn, a closure each time adds up in fan-out.
    try {
      this.sink.writeBatch(items);
    } catch (err) {
      this.log.warn("socket write failed", { error: errorText(err) });
      this.transportClosed();
    }
  }

  private slowConsumer(): void {
    const max = this.queue.maxBufferedBytes;
    this.log.warn("closing slow consumer", { buffered: this.queue.totalBytes, max });
    this.queue.discard();
    try {
      this.opts.outbound?.onSlowConsumer?.(this);
    } catch (err) {
      this.log.error("onSlowConsumer threw", { error: errorText(err) });
    }
    this.abort(
      Errors.SLOW_CONSUMER,
      `peer did not read its messages: more than ${max} bytes buffered for too long`,
      CloseCode.POLICY_VIOLATION,
    );
  }

  /** Runtime calls must not throw into the router; a failing socket is treated as closed. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.warn(`socket ${what} failed`, { error: errorText(err) });
      if (what !== "terminate") this.transportClosed();
    }
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
