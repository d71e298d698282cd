import { MessageType as T } from "../wamp/message_type.ts";
import type { Message } from "../wamp/messages.ts";
import { Errors } from "../wamp/errors.ts";
import type { Rbac, SessionAuthorizer } from "../rbac/mod.ts";
import type { Permission } from "../store/security_records.ts";
import type { Counters } from "../util/counters.ts";
import type { Logger } from "../util/log.ts";
import type { Realm } from "./realm.ts";
import type { Session } from "./session.ts";

/**
 * RBAC on every routed message of a realm whose SecurityRepository record has security
 * enabled (issue 4: "every REGISTER/CALL/SUBSCRIBE/PUBLISH/CANCEL authorized").
 *
 * The router only consults this when `enabled` is true — a cached flag refreshed on every
 * SecurityChange — so a realm with security off pays one property read per message. Internal
 * sessions (meta API, admin API, gateway) are never checked; client calls to the meta API's
 * wamp.* procedures are ordinary CALLs and need wamp.call grants like any other.
 */
export class RealmSecurity {
  enabled: boolean;
  private readonly sessions = new WeakMap<Session, SessionAuthorizer>();

  constructor(
    private readonly realm: Realm,
    /** Also what the handshake asks for allowedAuthmethods (sources). */
    readonly rbac: Rbac,
    private readonly counters: Counters,
    private readonly log: Logger,
  ) {
    this.enabled = rbac.securityEnabled(realm.name);
    rbac.onInvalidate(() => {
      this.enabled = rbac.securityEnabled(realm.name);
    });
  }

  /**
   * Whether `msg` from `session` may be routed. On a denial the reply is sent here: ERROR
   * wamp.error.not_authorized naming the permission and URI; PUBLISH without acknowledge and
   * CANCEL get no reply (the spec gives neither an error path) and are counted and logged.
   */
  permits(session: Session, msg: Message): boolean {
    const target = this.target(session, msg);
    if (!target) return true; // not an authorized message type, or an unknown id the dealer/broker will refuse
    const authz = this.authorizer(session);
    for (const permission of target.permissions) {
      const d = authz.authorize(permission, target.uri);
      if (d.allowed) continue;
      this.counters.inc("not_authorized");
      this.log.info("not authorized", { session: session.id, realm: session.realm, authid: session.authid, permission, uri: target.uri });
      const silent = msg.type === T.CANCEL || (msg.type === T.PUBLISH && msg.options.acknowledge !== true);
      if (!silent) {
        session.send({
          type: T.ERROR, requestType: msg.type, request: (msg as { request: number }).request, details: {},
          error: Errors.NOT_AUTHORIZED, args: [d.reason], kwargs: { permission, uri: target.uri },
        });
      }
      return false;
    }
    return true;
  }

  private authorizer(session: Session): SessionAuthorizer {
    let a = this.sessions.get(session);
    if (!a) {
      a = this.rbac.sessionAuthorizer(this.realm.name, session.identity);
      this.sessions.set(session, a);
    }
    return a;
  }

  /** The permissions a message needs and the URI they apply to. */
  private target(session: Session, msg: Message): { permissions: Permission[]; uri: string } | undefined {
    switch (msg.type) {
      case T.REGISTER: return { permissions: ["wamp.register"], uri: msg.procedure };
      case T.SUBSCRIBE: return { permissions: ["wamp.subscribe"], uri: msg.topic };
      // WAMP "Caller/Publisher Identification": asking to be disclosed needs its own grant.
      case T.CALL: return { permissions: msg.options.disclose_me === true ? ["wamp.call", "wamp.disclose_caller"] : ["wamp.call"], uri: msg.procedure };
      case T.PUBLISH: return { permissions: msg.options.disclose_me === true ? ["wamp.publish", "wamp.disclose_publisher"] : ["wamp.publish"], uri: msg.topic };
      case T.UNREGISTER: {
        const uri = this.realm.dealer.get(msg.registration)?.uri;
        return uri === undefined ? undefined : { permissions: ["wamp.unregister"], uri };
      }
      case T.UNSUBSCRIBE: {
        const uri = this.realm.broker.get(msg.subscription)?.uri;
        return uri === undefined ? undefined : { permissions: ["wamp.unsubscribe"], uri };
      }
      case T.CANCEL: {
        const uri = session.calls.get(msg.request)?.procedure;
        return uri === undefined ? undefined : { permissions: ["wamp.cancel"], uri };
      }
      default: return undefined;
    }
  }
}
