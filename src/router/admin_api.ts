import { MessageType as T } from "../wamp/message_type.ts";
import type { Dict, Invocation, Message } from "../wamp/messages.ts";
import type { Peer } from "../wamp/peer.ts";
import { Errors } from "../wamp/errors.ts";
import type { PasswordCredentials, SecurityRepository, TicketCredential } from "../store/security_records.ts";
import type { TicketIssuer } from "../auth/mod.ts";
import type { Logger } from "../util/log.ts";
import type { Realm } from "./realm.ts";
import type { RealmConfig } from "./router.ts";
import type { LinkPeers } from "./meta_api.ts";
import { AdminError, type AdminCall, type AdminProcedures } from "./admin_procedure.ts";
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
  new AdminSession(client, router, repo, opts, log).start();
}

class AdminSession {
  private request = 0;
  private joined = false;
  private readonly handlers = new Map<number, AdminProcedures[string]>();
  private readonly pending = new Map<number, string>();
  private readonly procedures: AdminProcedures;

  constructor(
    private readonly peer: Peer, router: AdminRouterControl, repo: SecurityRepository,
    private readonly opts: AdminApiOptions, private readonly log: Logger,
  ) {
    const ctx: AdminContext = {
      ...opts, repo, router, issued: new Map(),
      publish: (topic, args, kwargs) => this.publish(topic, args, kwargs),
    };
    this.procedures = {
      ...realmProcedures(ctx), ...userProcedures(ctx), ...groupProcedures(ctx), ...accessProcedures(ctx),
    };
  }

  start(): void {
    this.peer.onMessage = (msg) => this.onMessage(msg);
    this.peer.send({ type: T.HELLO, realm: this.opts.realm, details: { authid: "causeway.admin", roles: { callee: {}, publisher: {} } } });
  }

  private onMessage(msg: Message): void {
    switch (msg.type) {
      case T.WELCOME:
        this.joined = true;
        for (const procedure of Object.keys(this.procedures)) {
          const request = ++this.request;
          this.pending.set(request, procedure);
          this.peer.send({ type: T.REGISTER, request, options: {}, procedure });
        }
        return;
      case T.REGISTERED: {
        const procedure = this.pending.get(msg.request);
        this.pending.delete(msg.request);
        if (procedure) this.handlers.set(msg.registration, this.procedures[procedure]);
        return;
      }
      case T.ERROR:
        this.pending.delete(msg.request);
        return;
      case T.INVOCATION:
        void this.invoke(msg);
        return;
      case T.GOODBYE: case T.ABORT:
        this.joined = false;
        return;
    }
  }

  private async invoke(msg: Invocation): Promise<void> {
    const handler = this.handlers.get(msg.registration);
    if (!handler) return;
    const d = msg.details;
    const call: AdminCall = {
      args: msg.args ?? [], kwargs: msg.kwargs ?? {},
      caller: typeof d.caller === "number" ? d.caller : 0,
      callerAuthid: typeof d.caller_authid === "string" ? d.caller_authid : undefined,
      callerAuthrole: typeof d.caller_authrole === "string" ? d.caller_authrole : undefined,
    };
    try {
      const result = await handler(call);
      this.peer.send({ type: T.YIELD, request: msg.request, options: {}, args: result === undefined ? [] : [result] });
    } catch (err) {
      const e = err instanceof AdminError ? err : new AdminError("wamp.error.runtime_error", String((err as Error)?.message ?? err));
      if (!(err instanceof AdminError)) this.log.error("admin procedure failed", { error: String((err as Error)?.stack ?? err) });
      this.peer.send({ type: T.ERROR, requestType: T.INVOCATION, request: msg.request, details: {}, error: e.uri, args: [e.message] });
    }
  }

  private publish(topic: string, args: unknown[], kwargs?: Dict): void {
    if (!this.joined) return;
    this.peer.send({ type: T.PUBLISH, request: ++this.request, options: {}, topic, args, ...(kwargs ? { kwargs } : {}) });
  }
}
