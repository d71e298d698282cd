import type { Clock } from "../util/clock.ts";
import type { Counters } from "../util/counters.ts";
import type { Logger } from "../util/log.ts";
import type { Peer } from "../wamp/peer.ts";
import type { AuthServiceOptions } from "../auth/mod.ts";
import type { SecurityRepository } from "../store/security_records.ts";
import type { Realm, RealmFeatureOptions } from "./realm.ts";
import type { LinkPeers } from "./meta_api.ts";
import type { SessionLimits } from "./session_limits.ts";
import type { UriCheck } from "./uri_policy.ts";
import type { AdminApiOptions } from "./admin_api.ts";

/** The router's public surface: what createRouter takes and returns (router.ts builds it). */

export interface RealmConfig extends RealmFeatureOptions {
  name: string;
  /** Allow anonymous sessions (the only method until authentication is configured). */
  anonymous?: boolean;
  uriCheck?: UriCheck;
}

export interface RouterOptions {
  realms: RealmConfig[];
  logger?: Logger;
  counters?: Counters;
  /** WELCOME.Details.agent */
  agent?: string;
  /** Time source for call timeouts and retention expiry (tests pass a manual clock). */
  clock?: Clock;
  /**
   * In-memory peer pairs for router-internal sessions (the composition root passes transport's
   * `linkedPeers`; router/ may not import transport/). Given, every realm runs the WAMP meta API.
   */
  linkPeers?: LinkPeers;
  /**
   * Users, groups, grants and sources (issue 4). Given, every realm whose record has
   * securityEnabled authorizes each routed message (authorize.ts); absent, nothing is checked.
   */
  security?: SecurityRepository;
  /**
   * Authentication on realms with security enabled (src/auth/auth_service.ts): the source hook
   * (RBAC), the ticket issuer, the failure backoff, the AUTHENTICATE timeout (default 30 s).
   */
  auth?: Pick<AuthServiceOptions, "allowedAuthmethods" | "ticketIssuer" | "backoff"> & { authenticateTimeoutMs?: number };
  /**
   * The admin API (admin_api.ts): Bondy-named procedures on this realm, which must be one of
   * `realms`. Needs `security` and `linkPeers`.
   */
  admin?: AdminApiOptions;
  /** Max sessions, HELLO timeout, per-session request rate (session_limits.ts); default: none. */
  limits?: SessionLimits;
}

export interface AttachOptions {
  /**
   * A router-internal client (meta API, gateway, edge) on an in-memory peer: its HELLO joins
   * without authentication as authrole "trusted", and its session is marked internal.
   */
  internal?: boolean;
}

export interface Router {
  /** Takes ownership of a connected peer: it must now send HELLO. */
  attach(peer: Peer, opts?: AttachOptions): void;
  realm(name: string): Realm | undefined;
  /** Names of the routed realms (config and runtime-created). */
  realmNames(): string[];
  /**
   * Adds a realm at runtime (admin API `bondy.realm.create`): its dealer, broker, RBAC and meta
   * API like a configured one. Throws when the name is taken.
   */
  createRealm(config: RealmConfig): Realm;
  /** Ends every session of the realm (GOODBYE `reason`) and removes it; false when unknown. */
  deleteRealm(name: string, reason?: string): boolean;
  /** Joined client sessions (router-internal sessions are not counted). */
  readonly sessionCount: number;
  readonly counters: Counters;
  /** GOODBYE (system_shutdown) to every session, then close every peer. */
  shutdown(reason?: string): void;
}
