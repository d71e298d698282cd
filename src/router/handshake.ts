import { MessageType as T } from "../wamp/message_type.ts";
import type { Dict, Hello, Message } from "../wamp/messages.ts";
import { Errors } from "../wamp/errors.ts";
import type { AuthChallenge, AuthIdentity, AuthService } from "../auth/mod.ts";
import type { Realm } from "./realm.ts";
import { CLIENT_ROLES } from "./features.ts";
import { abort } from "./replies.ts";

export type HelloOutcome =
  | { ok: true; realm: Realm; identity: AuthIdentity; roles: Dict }
  | { ok: false; reply: Message; violation: boolean; delayMs?: number }
  /** Security is enabled on the realm: send `reply` (CHALLENGE), then await AUTHENTICATE. */
  | { ok: "challenge"; realm: Realm; roles: Dict; reply: Message; pending: AuthChallenge };

/** What the router knows about the connection, for realms with security enabled. */
export interface HelloContext {
  auth?: AuthService;
  /** Session id the WELCOME will carry (WAMP-CRA signs it into its challenge). */
  session: number;
  remoteAddress?: string;
  tls: boolean;
}

/**
 * Decides what a HELLO leads to: a session on a realm with an identity, or the ABORT to send.
 * Challenge-response methods will extend this into a small state machine (CHALLENGE →
 * AUTHENTICATE); the methods available today decide from the HELLO alone.
 */
export function processHello(msg: Hello, realms: Map<string, Realm>, internal = false, ctx?: HelloContext): HelloOutcome {
  const fail = (reason: string, text: string, violation = false): HelloOutcome =>
    ({ ok: false, reply: abort(reason, text), violation });

  const roles = msg.details.roles;
  if (!isDict(roles) || !CLIENT_ROLES.some((r) => isDict(roles[r]))) {
    return fail(Errors.PROTOCOL_VIOLATION, `HELLO.Details.roles must announce at least one of ${CLIENT_ROLES.join(", ")}`, true);
  }
  const realm = realms.get(msg.realm);
  if (!realm) return fail(Errors.NO_SUCH_REALM, `no realm "${msg.realm}" on this router`);
  if (internal) {
    // Router-internal clients live in this process; there is nothing to authenticate.
    const authid = typeof msg.details.authid === "string" ? msg.details.authid : "causeway";
    return { ok: true, realm, identity: { authid, authrole: "trusted", authmethod: "internal", authprovider: "causeway" }, roles };
  }

  const requested = msg.details.authmethods;
  if (requested !== undefined && (!Array.isArray(requested) || !requested.every((m) => typeof m === "string"))) {
    return fail(Errors.PROTOCOL_VIOLATION, "HELLO.Details.authmethods must be a list of strings", true);
  }
  if (ctx?.auth?.enabled(realm.name)) {
    const r = ctx.auth.hello({
      realm: realm.name,
      authmethods: (requested ?? []) as string[],
      authid: typeof msg.details.authid === "string" ? msg.details.authid : undefined,
      authextra: isDict(msg.details.authextra) ? msg.details.authextra : {},
      session: ctx.session,
      remoteAddress: ctx.remoteAddress,
      tls: ctx.tls,
    });
    if (r.kind === "welcome") return { ok: true, realm, identity: r.identity, roles };
    if (r.kind === "abort") return { ok: false, reply: abort(r.reason, r.message), violation: false, delayMs: r.delayMs };
    return { ok: "challenge", realm, roles, reply: { type: T.CHALLENGE, authmethod: r.authmethod, extra: r.extra }, pending: r };
  }
  // WAMP: a HELLO without authmethods asks for anonymous access.
  const methods = requested && requested.length > 0 ? requested as string[] : ["anonymous"];
  const method = methods.find((m) => realm.authenticators.has(m));
  if (!method) {
    const offered = [...realm.authenticators.keys()].join(", ") || "none";
    return fail(Errors.NO_AUTH_METHOD, `realm "${realm.name}" accepts none of [${methods.join(", ")}]; it accepts: ${offered}`);
  }
  const result = realm.authenticators.get(method)!.authenticate({
    realm: realm.name,
    authmethods: methods,
    authid: typeof msg.details.authid === "string" ? msg.details.authid : undefined,
    authextra: isDict(msg.details.authextra) ? msg.details.authextra : undefined,
    details: msg.details,
  });
  if ("error" in result) return fail(Errors.AUTHENTICATION_FAILED, result.error);
  return { ok: true, realm, identity: result, roles };
}

export function welcome(session: number, realm: string, identity: AuthIdentity, roles: Dict, agent: string): Message {
  const details: Dict = {
    realm,
    authid: identity.authid,
    authrole: identity.authrole,
    authmethod: identity.authmethod,
    authprovider: identity.authprovider,
    roles,
    agent,
  };
  if (identity.authextra) details.authextra = identity.authextra;
  return { type: T.WELCOME, session, details };
}

function isDict(v: unknown): v is Dict {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}
