import type { MatchPolicy } from "./uri_matcher.ts";
import type { Session } from "./session.ts";
import type { RegistrationDetails } from "./realm_events.ts";

/** WAMP "Shared Registration": REGISTER.Options.invoke. */
export type InvocationPolicy =
  | "single" | "roundrobin" | "random" | "first" | "last" | "jump_consistent_hash" | "queue_least_loaded";

/** One session's place on a registration. */
export interface Callee {
  session: Session;
  /** WAMP "Caller Identification": REGISTER.Options.disclose_caller. */
  discloseCaller: boolean;
  /** WAMP "Call Timeouts" (callee-initiated): REGISTER.Options.forward_timeout. */
  forwardTimeout: boolean;
  /** Invocations sent and not answered yet ("queue_least_loaded" counts them). */
  inflight: number;
}

/**
 * A registration: one (uri, match) pair with one invocation policy and its callees in
 * registration order (oldest first: "first" takes callees[0], "last" the end).
 */
export class Registration {
  readonly callees: Callee[] = [];
  /** Round-robin position: index of the callee the next call goes to. */
  next = 0;
  readonly created: string;

  constructor(
    readonly id: number,
    readonly uri: string,
    readonly match: MatchPolicy,
    readonly invoke: InvocationPolicy,
    now: number,
  ) {
    this.created = new Date(now).toISOString();
  }

  details(): RegistrationDetails {
    return { id: this.id, created: this.created, uri: this.uri, match: this.match, invoke: this.invoke };
  }

  entryOf(session: Session): Callee | undefined {
    for (const c of this.callees) if (c.session === session) return c;
    return undefined;
  }

  add(callee: Callee): void {
    this.callees.push(callee);
  }

  /** Removes the session; false when it was not a callee here. */
  remove(session: Session): boolean {
    const i = this.callees.findIndex((c) => c.session === session);
    if (i < 0) return false;
    this.callees.splice(i, 1);
    // Keep round-robin fair: the callee after the removed one is still next.
    if (i < this.next) this.next--;
    if (this.next >= this.callees.length) this.next = 0;
    return true;
  }
}
