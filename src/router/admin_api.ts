import type { Dict } from "../wamp/messages.ts";
import type { Peer } from "../wamp/peer.ts";
import type { PasswordCredentials, SecurityRepository, TicketCredential } from "../store/security_records.ts";
import type { TicketIssuer } from "../auth/mod.ts";
import type { Logger } from "../util/log.ts";
import type { Realm } from "./realm.ts";
import type { RealmConfig } from "./router_types.ts";
import type { LinkPeers } from "./meta_api.ts";
import type { AdminCall, AdminProcedures } from "./admin_procedure.ts";
import { InternalService } from "./internal_service.ts";
import { realmProcedures } from "./admin_realm_procedures.ts";
import { userProcedures } from "./admin_user_procedures.ts";
import { groupProcedures } from "./admin_group_procedures.ts";
import { accessProcedures } from "./admin_access_procedures.ts";

/** What the admin procedures may change in the router (a slice of Router, to keep them testable). */
export interface AdminRouterControl {
  realm(name: string): Realm | undefined;
  realmNames(): string[];
  createRealm(config: RealmConfig): Realm;
  deleteRealm(name: string, reason?: string): boolean;
}

export interface AdminApiOptions {
  /** The admin realm's URI (config `adminRealm`, default "causeway.admin"). */
  realm: string;
  /**
   * Derives stored password material (src/auth/credentials.ts). Injected so the composition
   * root picks the KDF parameters and tests can pass cheap ones.
   */
  derivePassword: (password: string, opts?: { craUnsalted?: boolean }) => PasswordCredentials;
  /** Derives a static ticket's stored hash (src/auth/credentials.ts); absent, `tickets` are refused. */
  deriveTicket?: (ticket: string) => TicketCredential;
  /** Router-signed tickets for bondy.ticket.*; absent, those procedures answer not_authorized. */
  ticketIssuer?: TicketIssuer;
  /** Wall clock in ms (ticket bookkeeping); tests pass their own. */
  now?: () => number;
}

/** Everything one admin procedure may use. */
export interface AdminContext extends AdminApiOptions {
  repo: SecurityRepository;
  router: AdminRouterControl;
  /** Publishes an event on the admin realm (bondy.user.added, …). */
  publish(topic: string, args: unknown[], kwargs?: Dict): void;
  /** jti/exp of the tickets issued by this process, per realm and authid (revoke_all's count). */
  issued: Map<string, { jti: string; exp: number }[]>;
}

/**
 * The admin API (issue 4): Bondy-named procedures (`bondy.realm.*`, `bondy.user.*`, …) on the
 * admin realm, registered by one router-internal session over an in-memory peer pair, like the
 * meta API. It lives in router/ because it drives the router (runtime realms) and writes the
 * security repository, both of which router/ may import; the procedures themselves are plain
 * functions of an AdminContext, tested with a memory store.
 */
export function startAdminApi(
  router: AdminRouterControl, repo: SecurityRepository, opts: AdminApiOptions,
  linkPeers: LinkPeers, attachInternal: (peer: Peer) => void, log: Logger,
): void {
  const [client, routerSide] = linkPeers();
  attachInternal(routerSide);
  const ctx: AdminContext = {
    ...opts, repo, router, issued: new Map(),
    publish: (topic, args, kwargs) => service.publish(topic, args, kwargs),
  };
  const procedures: AdminProcedures = {
    ...realmProcedures(ctx), ...userProcedures(ctx), ...groupProcedures(ctx), ...accessProcedures(ctx),
  };
  const service: InternalService = new InternalService(client, {
    realm: opts.realm,
    authid: "causeway.admin",
    // An admin procedure's value is Arguments[0] of the result.
    procedures: Object.fromEntries(Object.entries(procedures).map(([name, handler]) => [
      name,
      async (call: AdminCall) => {
        const value = await handler(call);
        return { args: value === undefined ? [] : [value] };
      },
    ])),
    logger: log,
  });
  service.start();
}
