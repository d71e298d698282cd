import { MessageType as T } from "../wamp/message_type.ts";
import type { Dict, Invocation, Message } from "../wamp/messages.ts";
import type { Peer } from "../wamp/peer.ts";
import { type Logger, silentLogger } from "../util/log.ts";

/** One INVOCATION as an internal procedure sees it (the dealer always discloses internal callers). */
export interface ServiceCall {
  args: unknown[];
  kwargs: Dict;
  caller: number;
  callerAuthid?: string;
  callerAuthrole?: string;
}

/** What a procedure yields (undefined: an empty result). */
export type ServiceResult = { args?: unknown[]; kwargs?: Dict } | undefined;

/**
 * A procedure of an internal service. It may answer synchronously (the meta API does, so its
 * YIELD leaves before any meta event the call causes) or with a promise (the admin API).
 * Throwing an Error with a string `uri` gives ERROR <uri> [message]; anything else is a bug,
 * logged and answered with wamp.error.runtime_error.
 */
export type ServiceHandler = (call: ServiceCall) => ServiceResult | Promise<ServiceResult>;

export interface InternalServiceOptions {
  realm: string;
  authid: string;
  procedures: Record<string, ServiceHandler>;
  /** After WELCOME, before the procedures are registered. */
  onJoin?(): void;
  /** The session ended (GOODBYE, ABORT or the peer closed). */
  onLeave?(): void;
  logger?: Logger;
}

/**
 * A router-internal client session (meta API, admin API): joins its realm over an in-memory
 * peer already attached as internal, registers its procedures, answers their INVOCATIONs and
 * publishes events. Going through the dealer and broker keeps one delivery path for everyone.
 */
export class InternalService {
  private request = 0;
  private joined = false;
  private readonly handlers = new Map<number, ServiceHandler>();
  /** REGISTER request id → procedure, until REGISTERED names its registration id. */
  private readonly pending = new Map<number, string>();
  private readonly log: Logger;

  constructor(private readonly peer: Peer, private readonly opts: InternalServiceOptions) {
    this.log = opts.logger ?? silentLogger;
  }

  start(): void {
    this.peer.onMessage = (msg) => this.onMessage(msg);
    this.peer.onClose = () => this.left();
    this.peer.send({ type: T.HELLO, realm: this.opts.realm, details: { authid: this.opts.authid, roles: { callee: {}, publisher: {} } } });
  }

  publish(topic: string, args: unknown[], kwargs?: Dict): void {
    if (!this.joined) return;
    this.peer.send({ type: T.PUBLISH, request: ++this.request, options: {}, topic, args, ...(kwargs ? { kwargs } : {}) });
  }

  private onMessage(msg: Message): void {
    switch (msg.type) {
      case T.WELCOME:
        this.joined = true;
        this.opts.onJoin?.();
        for (const procedure of Object.keys(this.opts.procedures)) {
          const request = ++this.request;
          this.pending.set(request, procedure);
          this.peer.send({ type: T.REGISTER, request, options: {}, procedure });
        }
        return;
      case T.REGISTERED: {
        const procedure = this.pending.get(msg.request);
        this.pending.delete(msg.request);
        if (procedure) this.handlers.set(msg.registration, this.opts.procedures[procedure]);
        return;
      }
      case T.ERROR:
        // A refused REGISTER (not expected for a trusted internal session): keep the map clean.
        if (this.pending.delete(msg.request)) this.log.error("internal procedure not registered", { error: msg.error });
        return;
      case T.INVOCATION:
        return this.invoke(msg);
      case T.GOODBYE:
      case T.ABORT:
        return this.left();
    }
  }

  private left(): void {
    if (!this.joined) return;
    this.joined = false;
    this.opts.onLeave?.();
  }

  private invoke(msg: Invocation): void {
    const handler = this.handlers.get(msg.registration);
    if (!handler) return;
    const d = msg.details;
    const call: ServiceCall = {
      args: msg.args ?? [],
      kwargs: msg.kwargs ?? {},
      caller: typeof d.caller === "number" ? d.caller : 0,
      callerAuthid: typeof d.caller_authid === "string" ? d.caller_authid : undefined,
      callerAuthrole: typeof d.caller_authrole === "string" ? d.caller_authrole : undefined,
    };
    let result: ServiceResult | Promise<ServiceResult>;
    try {
      result = handler(call);
    } catch (err) {
      return this.fail(msg.request, err);
    }
    if (result instanceof Promise) result.then((r) => this.yield(msg.request, r), (err) => this.fail(msg.request, err));
    else this.yield(msg.request, result);
  }

  private yield(request: number, result: ServiceResult): void {
    this.peer.send({ type: T.YIELD, request, options: {}, args: result?.args ?? [], kwargs: result?.kwargs });
  }

  private fail(request: number, err: unknown): void {
    const tagged = (err as { uri?: unknown } | null)?.uri;
    const uri = err instanceof Error && typeof tagged === "string" ? tagged : undefined;
    if (!uri) this.log.error("internal procedure failed", { error: String((err as Error)?.stack ?? err) });
    const message = err instanceof Error ? err.message : String(err);
    this.peer.send({
      type: T.ERROR, requestType: T.INVOCATION, request, details: {},
      error: uri ?? "wamp.error.runtime_error", args: [message],
    });
  }
}
