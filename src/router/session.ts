import type { Dict, Message } from "../wamp/messages.ts";
import type { Peer } from "../wamp/peer.ts";
import type { AuthIdentity } from "../auth/mod.ts";
import type { PendingCall } from "./pending_call.ts";

/** Calls this session made that are waiting for a result (caller side). */
export type OutgoingCall = PendingCall;

/** Invocations sent to this session that it has not answered yet (callee side). */
export type PendingInvocation = PendingCall;

/**
 * One joined WAMP session: identity, the roles the client announced, and the per-session
 * state the dealer and broker keep (so a leaving session can be cleaned up without a scan of
 * the whole realm).
 */
export class Session {
  /** INVOCATION request ids are session-scoped: sequential per callee. */
  private nextInvocation = 1;
  readonly invocations = new Map<number, PendingInvocation>();
  readonly calls = new Map<number, OutgoingCall>();
  readonly registrations = new Set<number>();
  readonly subscriptions = new Set<number>();
  closed = false;
  /**
   * Ends this session from the router's side: GOODBYE with `reason` and {message}, then the
   * session is gone (the meta API's kill procedures use it). Set by the router on join.
   */
  terminate: (reason: string, message?: string) => void = () => {};

  constructor(
    readonly id: number,
    readonly realm: string,
    readonly peer: Peer,
    readonly identity: AuthIdentity,
    /** HELLO.Details.roles as sent by the client. */
    readonly roles: Dict,
    /**
     * A router-internal session (meta API, later gateway and edge): it may register and
     * publish in the reserved `wamp.` namespace and is not listed by the session meta API.
     */
    readonly internal = false,
  ) {}

  get authid(): string {
    return this.identity.authid;
  }

  get authrole(): string {
    return this.identity.authrole;
  }

  send(msg: Message): boolean {
    return this.peer.send(msg);
  }

  /** Highest request id this client has used (session scope). */
  private lastRequest = 0;

  /**
   * WAMP "Protocol Errors": request ids of SUBSCRIBE, UNSUBSCRIBE, PUBLISH, REGISTER,
   * UNREGISTER and CALL are sequential per session. We require them to increase (not to be
   * exactly previous + 1) so a client that skips ids still works; a repeated or
   * decreasing id is the error the spec means.
   */
  acceptRequestId(id: number): boolean {
    if (id <= this.lastRequest) return false;
    this.lastRequest = id;
    return true;
  }

  get previousRequestId(): number {
    return this.lastRequest;
  }

  /** Whether `id` is an INVOCATION request id this router has issued to this session. */
  wasInvocationIssued(id: number): boolean {
    return id >= 1 && id < this.nextInvocation;
  }

  mintInvocationId(): number {
    const id = this.nextInvocation;
    this.nextInvocation = id >= Number.MAX_SAFE_INTEGER ? 1 : id + 1;
    return id;
  }

  /** Whether the client announced `feature` under `role` (HELLO.Details.roles.<role>.features). */
  hasFeature(role: string, feature: string): boolean {
    const r = this.roles[role] as { features?: Dict } | undefined;
    return r?.features?.[feature] === true;
  }
}
