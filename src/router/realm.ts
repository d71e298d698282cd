import type { Authenticator } from "../auth/mod.ts";
import type { Clock } from "../util/clock.ts";
import type { Counters } from "../util/counters.ts";
import { Broker } from "./broker.ts";
import { Dealer } from "./dealer.ts";
import { RealmEvents } from "./realm_events.ts";
import type { TrustLevels } from "./trust_levels.ts";
import type { Session } from "./session.ts";
import type { RealmSecurity } from "./authorize.ts";
import { createUriPolicy, type UriCheck } from "./uri_policy.ts";

export interface RealmOptions extends RealmFeatureOptions {
  name: string;
  uriCheck?: UriCheck;
  /** Authentication methods this realm accepts, keyed by method name. */
  authenticators: Authenticator[];
}

/** Per-realm settings of the advanced features (config keys of the same names). */
export interface RealmFeatureOptions {
  /** Call timeout (ms) applied when a CALL sets none; 0 = no router-side timeout. */
  defaultCallTimeoutMs?: number;
  /** Upper bound (ms) for CALL.Options.timeout; 0 = unbounded. */
  maxCallTimeoutMs?: number;
  /** Event retention: how many topics may hold a retained event, and for how long (0 = no expiry). */
  retention?: { maxTopics: number; ttlMs: number };
  /** Event history: topics (by pattern) whose last `limit` events are kept for wamp.subscription.get_events. */
  eventHistory?: { topic: string; match: "exact" | "prefix" | "wildcard"; limit: number }[];
  /** Call and publication trust levels by authrole of the caller/publisher (see trust_levels.ts). */
  trustLevels?: TrustLevels;
}

/** What a realm's dealer and broker share: ids, clock, counters. */
export interface RealmContext {
  ids: { router: () => number; global: () => number };
  counters: Counters;
  clock: Clock;
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

  readonly options: RealmOptions;
  /** RBAC for this realm, set by the router when RouterOptions.security is given (authorize.ts). */
  security?: RealmSecurity;

  constructor(opts: RealmOptions, ctx: RealmContext) {
    this.name = opts.name;
    this.options = opts;
    const uris = createUriPolicy(opts.uriCheck ?? "loose");
    this.authenticators = new Map(opts.authenticators.map((a) => [a.method, a]));
    const { ids, counters, clock } = ctx;
    this.dealer = new Dealer({
      uris, nextId: ids.router, counters, clock, events: this.events,
      defaultCallTimeoutMs: opts.defaultCallTimeoutMs, maxCallTimeoutMs: opts.maxCallTimeoutMs,
      trustLevels: opts.trustLevels,
    });
    this.broker = new Broker({
      uris, nextId: ids.router, publicationId: ids.global, counters, clock: ctx.clock, events: this.events,
      retention: opts.retention, eventHistory: opts.eventHistory, trustLevels: opts.trustLevels,
    });
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
