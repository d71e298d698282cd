import type { Authenticator } from "../auth/mod.ts";
import type { Counters } from "../util/counters.ts";
import { Broker } from "./broker.ts";
import { Dealer } from "./dealer.ts";
import { RealmEvents } from "./realm_events.ts";
import type { Session } from "./session.ts";
import { createUriPolicy, type UriCheck } from "./uri_policy.ts";

export interface RealmOptions {
  name: string;
  uriCheck?: UriCheck;
  /** Authentication methods this realm accepts, keyed by method name. */
  authenticators: Authenticator[];
}

/** A routing namespace: its own sessions, registrations and subscriptions. */
export class Realm {
  readonly name: string;
  readonly sessions = new Map<number, Session>();
  readonly dealer: Dealer;
  readonly broker: Broker;
  readonly authenticators: Map<string, Authenticator>;
  /** Lifecycle events (meta API and later cluster/edge subscribe here). */
  readonly events = new RealmEvents();

  constructor(opts: RealmOptions, ids: { router: () => number; global: () => number }, counters: Counters) {
    this.name = opts.name;
    const uris = createUriPolicy(opts.uriCheck ?? "loose");
    this.authenticators = new Map(opts.authenticators.map((a) => [a.method, a]));
    this.dealer = new Dealer({ uris, nextId: ids.router, counters });
    this.broker = new Broker({ uris, nextId: ids.router, publicationId: ids.global, counters });
  }

  join(session: Session): void {
    this.sessions.set(session.id, session);
    this.events.sessionJoined(session);
  }

  /** Removes the session's registrations and subscriptions (with their events), then `sessionLeft`. */
  leave(session: Session): void {
    if (!this.sessions.delete(session.id)) return;
    this.dealer.sessionLeft(session);
    this.broker.sessionLeft(session);
    this.events.sessionLeft(session);
  }
}
