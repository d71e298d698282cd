import type { Clock } from "../util/clock.ts";
import type { RealmEvents } from "./realm_events.ts";
import type { Session } from "./session.ts";
import { UriMatcher, type MatchPolicy } from "./uri_matcher.ts";

export interface Subscription {
  id: number;
  uri: string;
  match: MatchPolicy;
  /** ISO 8601 creation time (Subscription Meta API "get"). */
  created: string;
  subscribers: Set<Session>;
}

/**
 * The realm's subscriptions: one per (topic, match), shared by all its subscribers (spec
 * "Pattern-based Subscription": all subscribers of the same subscription share its id).
 * Creating and deleting them fires the realm events in the meta API's order:
 * subscriptionCreated → subscribed, unsubscribed → subscriptionDeleted.
 */
export class SubscriptionTable {
  private readonly matcher = new UriMatcher<Subscription>();
  private readonly byId = new Map<number, Subscription>();
  /** How many prefix/wildcard subscriptions exist (publish skips the pattern tries at 0). */
  patternCount = 0;

  constructor(
    private readonly nextId: () => number,
    private readonly clock: Clock,
    private readonly events?: RealmEvents,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: number): Subscription | undefined {
    return this.byId.get(id);
  }

  lookup(uri: string, match: MatchPolicy): Subscription | undefined {
    return this.matcher.get(uri, match);
  }

  /** Every subscription a publication to `topic` reaches. */
  matching(topic: string, visit: (sub: Subscription) => void): void {
    this.matcher.all(topic, (m) => visit(m.value));
  }

  /** The prefix and wildcard subscriptions a publication to `topic` reaches. */
  matchingPatterns(topic: string, visit: (sub: Subscription) => void): void {
    this.matcher.all(topic, (m) => {
      if (m.match !== "exact") visit(m.value);
    });
  }

  all(): IterableIterator<Subscription> {
    return this.byId.values();
  }

  /** Adds `session` to the (uri, match) subscription, creating it if needed; false if it was already on it. */
  add(session: Session, uri: string, match: MatchPolicy): { sub: Subscription; added: boolean } {
    let sub = this.matcher.get(uri, match);
    if (!sub) {
      sub = { id: this.nextId(), uri, match, created: new Date(this.clock.now()).toISOString(), subscribers: new Set() };
      this.matcher.set(uri, match, sub);
      this.byId.set(sub.id, sub);
      if (match !== "exact") this.patternCount++;
      this.events?.subscriptionCreated(session, { id: sub.id, created: sub.created, uri, match });
    }
    if (sub.subscribers.has(session)) return { sub, added: false };
    sub.subscribers.add(session);
    session.subscriptions.add(sub.id);
    this.events?.subscribed(session, sub.id);
    return { sub, added: true };
  }

  remove(sub: Subscription, session: Session): void {
    if (!sub.subscribers.delete(session)) return;
    session.subscriptions.delete(sub.id);
    this.events?.unsubscribed(session, sub.id);
    if (sub.subscribers.size === 0) {
      this.matcher.delete(sub.uri, sub.match);
      this.byId.delete(sub.id);
      if (sub.match !== "exact") this.patternCount--;
      this.events?.subscriptionDeleted(session, sub.id);
    }
  }
}
