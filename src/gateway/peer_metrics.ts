import type { Message } from "../wamp/messages.ts";
import type { Peer } from "../wamp/peer.ts";
import { Errors } from "../wamp/errors.ts";
import { MessageType, messageTypeName } from "../wamp/message_type.ts";
import { Histogram } from "../util/metrics.ts";

/** Largest message code we index directly (EVENT_RECEIVED = 337); others count as "other". */
const SLOTS = 338;
/** At most this many distinct error URIs get their own label value; the rest count as "other". */
const MAX_ERROR_URIS = 1000;

/**
 * What the transport boundary counts: messages in/out by type (arrays indexed by message
 * code), ERROR URIs sent to clients, authentication failures, and call latency (CALL in →
 * final RESULT/ERROR out, per caller connection; caller-perceived at the router).
 */
export class PeerMetrics {
  readonly messagesIn = new Float64Array(SLOTS + 1);
  readonly messagesOut = new Float64Array(SLOTS + 1);
  readonly errorsByUri = new Map<string, number>();
  readonly callLatency = new Histogram();
  authFailures = 0;
  /** ms clock; performance.now by default (bound directly: it runs twice per call). */
  readonly now: () => number;
  constructor(now?: () => number) {
    this.now = now ?? performance.now.bind(performance);
  }

  countError(uri: string): void {
    const n = this.errorsByUri.get(uri);
    if (n !== undefined) this.errorsByUri.set(uri, n + 1);
    else if (this.errorsByUri.size < MAX_ERROR_URIS) this.errorsByUri.set(uri, 1);
    else this.errorsByUri.set("other", (this.errorsByUri.get("other") ?? 0) + 1);
  }

  /** [type name, in, out] for every message type seen. */
  messageRows(): Array<[string, number, number]> {
    const rows: Array<[string, number, number]> = [];
    for (let i = 0; i <= SLOTS; i++) {
      if (this.messagesIn[i] === 0 && this.messagesOut[i] === 0) continue;
      const name = i === SLOTS ? "OTHER" : messageTypeName(i).replace(/ /g, "_");
      rows.push([name, this.messagesIn[i], this.messagesOut[i]]);
    }
    return rows;
  }

  /**
   * A peer that forwards everything to `inner` and counts on the way. The router attaches the
   * returned peer (it sets onMessage/onClose on it); identity of `inner` stays with the transport.
   */
  wrap(inner: Peer): Peer {
    const m = this;
    const calls = new Map<number, number>();
    const wrapped: Peer = {
      get details() { return inner.details; },
      get buffered() { return inner.buffered; },
      get overLimit() { return inner.overLimit; },
      get closed() { return inner.closed; },
      send(msg: Message): boolean {
        const t = msg.type;
        m.messagesOut[t < SLOTS ? t : SLOTS]++;
        if (t === MessageType.RESULT) {
          if (calls.size && msg.details.progress !== true) m.endCall(calls, msg.request);
        } else if (t === MessageType.ERROR) {
          m.countError(msg.error);
          if (msg.requestType === MessageType.CALL && calls.size) m.endCall(calls, msg.request);
        } else if (t === MessageType.ABORT && msg.reason === Errors.AUTHENTICATION_FAILED) {
          m.authFailures++;
        }
        return inner.send(msg);
      },
      close(code?: number, reason?: string) { inner.close(code, reason); },
      onMessage: () => {},
      onClose: () => {},
    };
    inner.onMessage = (msg) => {
      const t = msg.type;
      m.messagesIn[t < SLOTS ? t : SLOTS]++;
      // Progressive call invocations send more CALLs under one request id: keep the first start.
      if (t === MessageType.CALL && calls.get(msg.request) === undefined) calls.set(msg.request, m.now());
      wrapped.onMessage(msg);
    };
    inner.onClose = () => {
      calls.clear();
      wrapped.onClose();
    };
    return wrapped;
  }

  private endCall(calls: Map<number, number>, request: number): void {
    const start = calls.get(request);
    if (start === undefined) return;
    calls.delete(request);
    this.callLatency.observe((this.now() - start) / 1000);
  }
}
