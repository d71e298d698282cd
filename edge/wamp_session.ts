import { createIdSequence, type Dict, Errors, type Event, type Invocation, type Message, MessageType as T, type Payload, type Peer } from "../src/wamp/mod.ts";
import { type Clock, systemClock } from "../src/util/mod.ts";

/**
 * A WAMP client session over any Peer: the edge uses one towards the core (a link channel or,
 * in compat mode, a plain WAMP connection) and one on its own router (an internal in-memory
 * peer). It is deliberately low level: payloads (args/kwargs or a passthru `payload`) and
 * Details/Options travel as they are, because the bridge forwards them and must not reshape
 * them on the way.
 */

/** An ERROR answer (or a session that ended) as a rejected promise. */
export class WampError extends Error {
  constructor(
    readonly error: string,
    readonly args?: unknown[],
    readonly kwargs?: Dict,
    readonly details: Dict = {},
  ) {
    super(typeof args?.[0] === "string" ? `${error}: ${args[0]}` : error);
    this.name = "WampError";
  }
}

/** The session ended (GOODBYE, ABORT or the transport closed) while a request was open. */
export const SESSION_LOST = "causeway.edge.session_lost";

export interface JoinOptions {
  realm: string;
  authid?: string;
  authmethods?: string[];
  authextra?: Dict;
  /** Answers a CHALLENGE: returns AUTHENTICATE.Signature (and optional Extra). */
  onChallenge?: (authmethod: string, extra: Dict) => string | { signature: string; extra?: Dict };
}

export interface Welcome {
  session: number;
  details: Dict;
}

/** What an invocation handler answers with. Calls after the final answer are ignored. */
export interface InvocationReply {
  /** YIELD with Options.progress (only if the caller asked for progress). */
  progress(payload: Payload, options?: Dict): void;
  result(payload: Payload, options?: Dict): void;
  error(error: string, payload?: Payload, details?: Dict): void;
  /** Set by the handler: called when the router INTERRUPTs this invocation. */
  onInterrupt?: (options: Dict) => void;
}

export type InvocationHandler = (inv: Invocation, reply: InvocationReply) => void;
export type EventHandler = (ev: Event) => void;

export interface CallResult extends Payload {
  details: Dict;
}

/** An outgoing call that may be canceled before it ends. */
export interface CallHandle {
  readonly request: number;
  readonly result: Promise<CallResult>;
  cancel(mode?: string): void;
}

/** Roles with the features the bridge relies on (progress, canceling, timeouts, identification). */
export const CLIENT_ROLES: Dict = {
  caller: { features: { progressive_call_results: true, call_canceling: true, call_timeout: true, caller_identification: true } },
  callee: {
    features: {
      progressive_call_results: true, call_canceling: true, call_timeout: true, caller_identification: true,
      pattern_based_registration: true, shared_registration: true,
    },
  },
  publisher: { features: { publisher_exclusion: true, publisher_identification: true } },
  subscriber: { features: { pattern_based_subscription: true, publisher_identification: true } },
};

interface Pending {
  resolve(m: Message): void;
  reject(e: Error): void;
}

interface OpenCall {
  resolve(r: CallResult): void;
  reject(e: Error): void;
  onProgress?: (r: CallResult) => void;
}

export class WampSession {
  // Session-scope request ids: sequential, wrapping after 2^53 as the spec asks.
  private readonly nextRequest = createIdSequence();
  private readonly pending = new Map<number, Pending>();
  private readonly calls = new Map<number, OpenCall>();
  private readonly handlers = new Map<number, InvocationHandler>();
  private readonly subscriptions = new Map<number, EventHandler>();
  private readonly invocations = new Map<number, InvocationReply & { done: boolean }>();
  private joining?: { resolve(w: Welcome): void; reject(e: Error): void; opts: JoinOptions };
  private leaving?: () => void;
  private ended = false;
  /** Session id from WELCOME (0 before). */
  id = 0;
  welcomeDetails: Dict = {};
  /** Called once when the session is over: GOODBYE from the router, ABORT, or the peer closed. */
  onClose: (reason: string) => void = () => {};

  private readonly clock: Clock;

  constructor(readonly peer: Peer, opts: { clock?: Clock } = {}) {
    this.clock = opts.clock ?? systemClock;
    peer.onMessage = (msg) => this.onMessage(msg);
    peer.onClose = () => this.end("transport closed");
  }

  get isOpen(): boolean {
    return this.id !== 0 && !this.ended;
  }

  /** HELLO (with authentication when asked) → WELCOME; rejects with "reason: message" on ABORT. */
  join(opts: JoinOptions): Promise<Welcome> {
    if (this.ended) return Promise.reject(new Error("the session's transport is already closed"));
    return new Promise<Welcome>((resolve, reject) => {
      this.joining = { resolve, reject, opts };
      const details: Dict = { roles: CLIENT_ROLES };
      if (opts.authid !== undefined) details.authid = opts.authid;
      if (opts.authmethods) details.authmethods = opts.authmethods;
      if (opts.authextra) details.authextra = opts.authextra;
      this.send({ type: T.HELLO, realm: opts.realm, details });
    });
  }

  register(procedure: string, handler: InvocationHandler, options: Dict = {}): Promise<number> {
    return this.request({ type: T.REGISTER, request: 0, options, procedure }).then((m) => {
      const id = (m as { registration: number }).registration;
      this.handlers.set(id, handler);
      return id;
    });
  }

  unregister(registration: number): Promise<void> {
    this.handlers.delete(registration);
    return this.request({ type: T.UNREGISTER, request: 0, registration }).then(() => {});
  }

  subscribe(topic: string, handler: EventHandler, options: Dict = {}): Promise<number> {
    return this.request({ type: T.SUBSCRIBE, request: 0, options, topic }).then((m) => {
      const id = (m as { subscription: number }).subscription;
      this.subscriptions.set(id, handler);
      return id;
    });
  }

  unsubscribe(subscription: number): Promise<void> {
    this.subscriptions.delete(subscription);
    return this.request({ type: T.UNSUBSCRIBE, request: 0, subscription }).then(() => {});
  }

  /**
   * PUBLISH. With options.acknowledge the promise settles on PUBLISHED/ERROR; without, it
   * resolves at once (nothing will answer).
   */
  publish(topic: string, payload: Payload, options: Dict = {}): Promise<number | undefined> {
    const msg = { type: T.PUBLISH, request: 0, options, topic, ...pick(payload) } as Message;
    if (options.acknowledge === true) return this.request(msg).then((m) => (m as { publication: number }).publication);
    (msg as { request: number }).request = this.nextRequest();
    if (!this.send(msg)) return Promise.reject(new WampError(SESSION_LOST, ["the session is closed"]));
    return Promise.resolve(undefined);
  }

  /** CALL; `onProgress` receives progressive results (pass receive_progress in options). */
  callStart(procedure: string, payload: Payload, options: Dict = {}, onProgress?: (r: CallResult) => void): CallHandle {
    const request = this.nextRequest();
    const result = new Promise<CallResult>((resolve, reject) => {
      if (this.ended || this.id === 0) return reject(new WampError(SESSION_LOST, ["the session is not open"]));
      this.calls.set(request, { resolve, reject, onProgress });
      if (!this.send({ type: T.CALL, request, options, procedure, ...pick(payload) })) {
        this.calls.delete(request);
        reject(new WampError(SESSION_LOST, ["the session is closed"]));
      }
    });
    return {
      request,
      result,
      cancel: (mode = "killnowait") => {
        if (this.calls.has(request)) this.send({ type: T.CANCEL, request, options: { mode } });
      },
    };
  }

  call(procedure: string, payload: Payload = {}, options: Dict = {}, onProgress?: (r: CallResult) => void): Promise<CallResult> {
    return this.callStart(procedure, payload, options, onProgress).result;
  }

  /**
   * GOODBYE, then waits for the router's GOODBYE (at most `timeoutMs`: a frozen link must not
   * hold a shutdown) and closes the peer.
   */
  leave(reason: string = Errors.CLOSE_NORMAL, timeoutMs = 2000): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(() => {
        if (this.ended) return;
        this.end("left (no GOODBYE reply)");
        this.peer.close(1000, "goodbye");
      }, timeoutMs);
      this.leaving = () => {
        this.clock.clearTimeout(timer);
        resolve();
      };
      if (!this.send({ type: T.GOODBYE, details: {}, reason })) this.end("left");
    });
  }

  /** Forgets the session without a word (the transport is gone or about to be dropped). */
  abandon(reason: string): void {
    this.end(reason);
  }

  private send(msg: Message): boolean {
    if (this.ended) return false;
    return this.peer.send(msg);
  }

  private request(msg: Message): Promise<Message> {
    const request = this.nextRequest();
    (msg as { request: number }).request = request;
    return new Promise<Message>((resolve, reject) => {
      if (this.ended || this.id === 0) return reject(new WampError(SESSION_LOST, ["the session is not open"]));
      this.pending.set(request, { resolve, reject });
      if (!this.send(msg)) {
        this.pending.delete(request);
        reject(new WampError(SESSION_LOST, ["the session is closed"]));
      }
    });
  }

  private onMessage(msg: Message): void {
    switch (msg.type) {
      case T.WELCOME: {
        const j = this.joining;
        this.joining = undefined;
        this.id = msg.session;
        this.welcomeDetails = msg.details;
        j?.resolve({ session: msg.session, details: msg.details });
        return;
      }
      case T.CHALLENGE: return this.onChallenge(msg.authmethod, msg.extra);
      case T.ABORT: {
        const text = typeof msg.details.message === "string" ? msg.details.message : typeof msg.args?.[0] === "string" ? msg.args[0] : "";
        const reason = text ? `${msg.reason}: ${text}` : msg.reason;
        const j = this.joining;
        this.joining = undefined;
        j?.reject(Object.assign(new Error(reason), { reason: msg.reason }));
        this.end(`abort: ${reason}`);
        this.peer.close(1000, "aborted");
        return;
      }
      case T.GOODBYE:
        if (this.leaving) {
          this.end("left");
        } else {
          this.send({ type: T.GOODBYE, details: {}, reason: Errors.GOODBYE_AND_OUT });
          this.end(`goodbye: ${msg.reason}`);
        }
        this.peer.close(1000, "goodbye");
        return;
      case T.REGISTERED: case T.UNREGISTERED: case T.SUBSCRIBED: case T.UNSUBSCRIBED: case T.PUBLISHED: {
        // UNREGISTERED/UNSUBSCRIBED with request 0: revocation by the router.
        if (msg.request === 0) return this.revoked(msg);
        const p = this.pending.get(msg.request);
        this.pending.delete(msg.request);
        p?.resolve(msg);
        return;
      }
      case T.RESULT: {
        const c = this.calls.get(msg.request);
        if (!c) return;
        const r: CallResult = { details: msg.details, ...pick(msg) };
        if (msg.details.progress === true) return c.onProgress?.(r);
        this.calls.delete(msg.request);
        c.resolve(r);
        return;
      }
      case T.ERROR: {
        const err = new WampError(msg.error, msg.args, msg.kwargs, msg.details);
        if (msg.requestType === T.CALL) {
          const c = this.calls.get(msg.request);
          this.calls.delete(msg.request);
          c?.reject(err);
          return;
        }
        const p = this.pending.get(msg.request);
        this.pending.delete(msg.request);
        p?.reject(err);
        return;
      }
      case T.EVENT: {
        const h = this.subscriptions.get(msg.subscription);
        if (h) h(msg);
        return;
      }
      case T.INVOCATION: return this.onInvocation(msg);
      case T.INTERRUPT: {
        const inv = this.invocations.get(msg.request);
        inv?.onInterrupt?.(msg.options);
        return;
      }
    }
  }

  private onChallenge(authmethod: string, extra: Dict): void {
    const j = this.joining;
    const answer = j?.opts.onChallenge;
    let signature: string | undefined;
    let aExtra: Dict = {};
    try {
      const a = answer?.(authmethod, extra);
      if (typeof a === "string") signature = a;
      else if (a) {
        signature = a.signature;
        aExtra = a.extra ?? {};
      }
    } catch (err) {
      j?.reject(new Error(`cannot answer the ${authmethod} challenge: ${(err as Error).message}`));
      this.joining = undefined;
      this.send({ type: T.ABORT, details: {}, reason: Errors.AUTHENTICATION_FAILED });
      this.end("authentication failed");
      this.peer.close(1000, "aborted");
      return;
    }
    if (signature === undefined) {
      j?.reject(new Error(`the router asked for ${authmethod} authentication, which this session is not configured for`));
      this.joining = undefined;
      this.send({ type: T.ABORT, details: {}, reason: Errors.AUTHENTICATION_FAILED });
      this.end("authentication failed");
      this.peer.close(1000, "aborted");
      return;
    }
    this.send({ type: T.AUTHENTICATE, signature, extra: aExtra });
  }

  private onInvocation(inv: Invocation): void {
    const handler = this.handlers.get(inv.registration);
    const request = inv.request;
    if (!handler) {
      this.send({ type: T.ERROR, requestType: T.INVOCATION, request, details: {}, error: Errors.NO_SUCH_REGISTRATION, args: [`registration ${inv.registration} is gone`] });
      return;
    }
    const reply: InvocationReply & { done: boolean } = {
      done: false,
      progress: (payload, options = {}) => {
        if (!reply.done) this.send({ type: T.YIELD, request, options: { ...options, progress: true }, ...pick(payload) });
      },
      result: (payload, options = {}) => {
        if (reply.done) return;
        reply.done = true;
        this.invocations.delete(request);
        this.send({ type: T.YIELD, request, options, ...pick(payload) });
      },
      error: (error, payload = {}, details = {}) => {
        if (reply.done) return;
        reply.done = true;
        this.invocations.delete(request);
        this.send({ type: T.ERROR, requestType: T.INVOCATION, request, details, error, ...pick(payload) });
      },
    };
    this.invocations.set(request, reply);
    try {
      handler(inv, reply);
    } catch (err) {
      reply.error("wamp.error.runtime_error", { args: [String((err as Error)?.message ?? err)] });
    }
  }

  private revoked(msg: Message): void {
    const d = (msg as { details?: Dict }).details ?? {};
    if (msg.type === T.UNREGISTERED && typeof d.registration === "number") this.handlers.delete(d.registration);
    if (msg.type === T.UNSUBSCRIBED && typeof d.subscription === "number") this.subscriptions.delete(d.subscription);
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    const lost = () => new WampError(SESSION_LOST, [`the session ended (${reason})`]);
    for (const p of this.pending.values()) p.reject(lost());
    for (const c of this.calls.values()) c.reject(lost());
    this.pending.clear();
    this.calls.clear();
    for (const inv of this.invocations.values()) inv.done = true;
    this.invocations.clear();
    if (this.joining) {
      this.joining.reject(new Error(`the session ended before WELCOME (${reason})`));
      this.joining = undefined;
    }
    const left = this.leaving;
    this.leaving = undefined;
    left?.();
    this.onClose(reason);
  }
}

/** Only the payload keys that are present (a message must not carry `args: undefined` keys it never had). */
function pick(p: Payload): Payload {
  const out: Payload = {};
  if (p.args !== undefined) out.args = p.args;
  if (p.kwargs !== undefined) out.kwargs = p.kwargs;
  if (p.payload !== undefined) out.payload = p.payload;
  return out;
}
