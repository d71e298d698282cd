import { MessageType as T } from "../wamp/message_type.ts";
import type { Dict, Hello, Message } from "../wamp/messages.ts";
import { Errors } from "../wamp/errors.ts";
import type { AuthIdentity } from "../auth/mod.ts";
import type { Realm } from "./realm.ts";
import { CLIENT_ROLES } from "./features.ts";
import { abort } from "./replies.ts";

export type HelloOutcome =
  | { ok: true; realm: Realm; identity: AuthIdentity; roles: Dict }
  | { ok: false; reply: Message; violation: boolean };

/**
 * Decides what a HELLO leads to: a session on a realm with an identity, or the ABORT to send.
 * Challenge-response methods will extend this into a small state machine (CHALLENGE →
 * AUTHENTICATE); the methods available today decide from the HELLO alone.
 */
export function processHello(msg: Hello, realms: Map<string, Realm>, internal = false): HelloOutcome {
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
