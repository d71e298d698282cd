import type { MatchPolicy } from "./uri_matcher.ts";
import type { Session } from "./session.ts";

/** What the meta API reports about a registration (spec "Registration Meta API", get). */
export interface RegistrationDetails {
  id: number;
  /** ISO 8601 time the registration was created. */
  created: string;
  uri: string;
  match: MatchPolicy;
  invoke: string;
}

/** What the meta API reports about a subscription (spec "Subscriptions Meta API", get). */
export interface SubscriptionDetails {
  id: number;
  created: string;
  uri: string;
  match: MatchPolicy;
}

/**
 * Lifecycle events of a realm, in the order the spec's meta API requires: `registrationCreated`
 * before `registered`, `unregistered` before `registrationDeleted` (same for subscriptions),
 * and a leaving session's unregister/unsubscribe events before `sessionLeft`.
 * Listeners run synchronously inside the router and must not throw.
 */
export interface RealmListener {
  sessionJoined?(session: Session): void;
  sessionLeft?(session: Session): void;
  registrationCreated?(session: Session, details: RegistrationDetails): void;
  registered?(session: Session, registration: number): void;
  unregistered?(session: Session, registration: number): void;
  registrationDeleted?(session: Session, registration: number): void;
  subscriptionCreated?(session: Session, details: SubscriptionDetails): void;
  subscribed?(session: Session, subscription: number): void;
  unsubscribed?(session: Session, subscription: number): void;
  subscriptionDeleted?(session: Session, subscription: number): void;
}

/** Fans events out to the realm's listeners (the meta API, later the cluster and edge). */
export class RealmEvents implements Required<RealmListener> {
  private readonly listeners = new Set<RealmListener>();

  add(listener: RealmListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  sessionJoined(s: Session): void { for (const l of this.listeners) l.sessionJoined?.(s); }
  sessionLeft(s: Session): void { for (const l of this.listeners) l.sessionLeft?.(s); }
  registrationCreated(s: Session, d: RegistrationDetails): void { for (const l of this.listeners) l.registrationCreated?.(s, d); }
  registered(s: Session, id: number): void { for (const l of this.listeners) l.registered?.(s, id); }
  unregistered(s: Session, id: number): void { for (const l of this.listeners) l.unregistered?.(s, id); }
  registrationDeleted(s: Session, id: number): void { for (const l of this.listeners) l.registrationDeleted?.(s, id); }
  subscriptionCreated(s: Session, d: SubscriptionDetails): void { for (const l of this.listeners) l.subscriptionCreated?.(s, d); }
  subscribed(s: Session, id: number): void { for (const l of this.listeners) l.subscribed?.(s, id); }
  unsubscribed(s: Session, id: number): void { for (const l of this.listeners) l.unsubscribed?.(s, id); }
  subscriptionDeleted(s: Session, id: number): void { for (const l of this.listeners) l.subscriptionDeleted?.(s, id); }
}

/** Read access (and revocation) the meta API needs from the dealer. */
export interface RegistrationView {
  list(): Record<MatchPolicy, number[]>;
  /** The registration for exactly (uri, match), if any. */
  lookup(uri: string, match: MatchPolicy): number | undefined;
  /** The registration a call to `uri` would be routed to, if any. */
  match(uri: string): number | undefined;
  get(id: number): RegistrationDetails | undefined;
  /** Session ids of the registration's callees; undefined when there is no such registration. */
  callees(id: number): number[] | undefined;
  /**
   * Registration revocation: removes `session` (every callee when undefined) from the
   * registration, telling each removed callee with UNREGISTERED {registration, reason}.
   * False when there is no such registration (or session on it).
   */
  revoke(id: number, session?: number, reason?: string): boolean;
}

/** Read access (and revocation) the meta API needs from the broker. */
export interface SubscriptionView {
  list(): Record<MatchPolicy, number[]>;
  lookup(uri: string, match: MatchPolicy): number | undefined;
  /** Every subscription a publication to `uri` reaches. */
  match(uri: string): number[];
  get(id: number): SubscriptionDetails | undefined;
  subscribers(id: number): number[] | undefined;
  revoke(id: number, session?: number, reason?: string): boolean;
  /**
   * Event history (wamp.subscription.get_events): the last `limit` events stored for the
   * subscription's topic, newest last, each a dict as the spec's chapter defines. Undefined
   * when there is no such subscription or no history is configured for its topic.
   */
  history(id: number, limit?: number): Record<string, unknown>[] | undefined;
  /** Testament (wamp.session.add_testament): published when `session` leaves or is lost. */
  addTestament(session: Session, testament: Testament): void;
  /** wamp.session.flush_testaments: drops the session's testaments of `scope`; returns how many. */
  flushTestaments(session: Session, scope: TestamentScope): number;
}

export type TestamentScope = "destroyed" | "detached";

export interface Testament {
  topic: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  /** PUBLISH options to use (e.g. retain, exclude/eligible lists). */
  options: Record<string, unknown>;
  scope: TestamentScope;
}
