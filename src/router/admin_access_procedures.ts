import { array, define, enums, nonempty, number, object, optional, record, string, unknown } from "superstruct";
import { PERMISSIONS, validateGrant, validatePrincipal, validateSource } from "../rbac/mod.ts";
import { principalKey } from "../store/security_repository.ts";
import type { GrantRecord, Permission, Principal, SourceRecord } from "../store/security_records.ts";
import type { AdminContext } from "./admin_api.ts";
import { AdminError, type AdminProcedures, bodyArg, invalid, NOT_FOUND, principalView, textArg, toPrincipal } from "./admin_procedure.ts";
import { AUTHMETHODS, knownRealm } from "./admin_realm_procedures.ts";

const principal = define<unknown>("principal", (v) =>
  toPrincipal(v) !== undefined || 'must be "all", "anonymous", "user:<authid>", "group:<name>", {"user": authid} or {"group": name}');
const GrantBody = object({
  permissions: nonempty(array(enums(PERMISSIONS as unknown as Permission[]))),
  uri: nonempty(string()),
  match: optional(enums(["exact", "prefix", "wildcard"] as const)),
  to: principal,
});
const RevokeBody = object({
  id: optional(nonempty(string())),
  permissions: optional(array(enums(PERMISSIONS as unknown as Permission[]))),
  uri: optional(nonempty(string())),
  match: optional(enums(["exact", "prefix", "wildcard"] as const)),
  to: optional(principal),
});
const SourceBody = object({ cidr: nonempty(string()), authmethods: nonempty(array(enums(AUTHMETHODS))), to: principal });
const SourceKey = object({ cidr: nonempty(string()), to: principal });
const TicketBody = object({ scope: optional(record(string(), unknown())), expiry_time_secs: optional(number()) });

const grantView = (g: GrantRecord) => ({
  id: g.id, permissions: [...g.permissions],
  ...(g.resource === "any" ? { uri: "any", match: "prefix" } : { uri: g.resource.uri, match: g.resource.match }),
  to: principalView(g.to),
});
const sourceView = (s: SourceRecord) => ({ cidr: s.cidr, authmethods: [...s.authmethods], to: principalView(s.to) });
const samePrincipal = (a: Principal, b: Principal) => principalKey(a) === principalKey(b);

export function accessProcedures(ctx: AdminContext): AdminProcedures {
  const { repo } = ctx;
  const now = ctx.now ?? Date.now;
  const issuer = () => {
    if (!ctx.ticketIssuer) throw new AdminError("wamp.error.not_authorized", "this router issues no tickets");
    return ctx.ticketIssuer;
  };
  return {
    "bondy.grant.create": (call) => {
      const realm = knownRealm(ctx, call.args).uri;
      const b = bodyArg(call, 1, "grant", GrantBody);
      const to = toPrincipal(b.to)!;
      const g: GrantRecord = {
        id: "", permissions: b.permissions, to,
        resource: b.uri === "any" ? "any" : { uri: b.uri, match: b.match ?? "exact" },
      };
      const problem = validateGrant(g) ?? validatePrincipal(to);
      if (problem) throw invalid(`Arguments[1] (grant): ${problem}`);
      const stored = repo.putGrant(realm, g);
      ctx.publish("bondy.grant.created", [realm, grantView(stored)]);
      return grantView(stored);
    },
    // By id, or by (uri, match, to) removing the listed permissions (all when none are listed).
    "bondy.grant.revoke": (call) => {
      const realm = knownRealm(ctx, call.args).uri;
      const b = bodyArg(call, 1, "grant", RevokeBody);
      const to = b.to === undefined ? undefined : toPrincipal(b.to);
      if (b.id === undefined && (b.uri === undefined || to === undefined)) {
        throw invalid("Arguments[1] (grant) needs either id, or uri and to (with optional match and permissions)");
      }
      const revoked: unknown[] = [];
      for (const g of repo.grants(realm)) {
        if (b.id !== undefined ? g.id !== b.id : !(
          samePrincipal(g.to, to!) &&
          (g.resource === "any" ? b.uri === "any" : g.resource.uri === b.uri && g.resource.match === (b.match ?? "exact"))
        )) continue;
        const keep = b.permissions?.length ? g.permissions.filter((p) => !b.permissions!.includes(p)) : [];
        repo.deleteGrant(realm, g.id);
        if (keep.length > 0) repo.putGrant(realm, { ...g, permissions: keep });
        revoked.push(grantView(g));
      }
      if (revoked.length === 0) throw new AdminError(NOT_FOUND.grant, `no matching grant in realm "${realm}"`);
      ctx.publish("bondy.grant.revoked", [realm, revoked]);
      return revoked;
    },
    "bondy.grant.list": (call) => repo.grants(knownRealm(ctx, call.args).uri).map(grantView),

    "bondy.source.add": (call) => {
      const realm = knownRealm(ctx, call.args).uri;
      const b = bodyArg(call, 1, "source", SourceBody);
      const s: SourceRecord = { cidr: b.cidr, authmethods: [...b.authmethods], to: toPrincipal(b.to)! };
      const problem = validateSource(s);
      if (problem) throw invalid(`Arguments[1] (source).cidr: ${problem}`);
      repo.putSource(realm, s);
      ctx.publish("bondy.source.added", [realm, sourceView(s)]);
      return sourceView(s);
    },
    "bondy.source.get": (call) => {
      const realm = knownRealm(ctx, call.args).uri;
      const cidr = textArg(call, 1, "cidr");
      const found = repo.sources(realm).filter((s) => s.cidr === cidr).map(sourceView);
      if (found.length === 0) throw new AdminError(NOT_FOUND.source, `no source ${cidr} in realm "${realm}"`);
      return found;
    },
    "bondy.source.list": (call) => repo.sources(knownRealm(ctx, call.args).uri).map(sourceView),
    "bondy.source.delete": (call) => {
      const realm = knownRealm(ctx, call.args).uri;
      const b = bodyArg(call, 1, "source", SourceKey);
      if (!repo.deleteSource(realm, b.cidr, toPrincipal(b.to)!)) {
        throw new AdminError(NOT_FOUND.source, `no source ${b.cidr} for that principal in realm "${realm}"`);
      }
      ctx.publish("bondy.source.deleted", [realm, { cidr: b.cidr, to: b.to }]);
      return undefined;
    },
    // Which methods a session with this authid (or none) could use from this address.
    "bondy.source.match": (call) => {
      const realm = knownRealm(ctx, call.args).uri;
      const address = textArg(call, 1, "address");
      const authid = call.args[2] === undefined || call.args[2] === null ? undefined : textArg(call, 2, "authid");
      const rbac = ctx.router.realm(ctx.realm)?.security?.rbac;
      const methods = rbac?.allowedAuthmethods(realm, authid, address);
      return { realm, address, ...(authid ? { authid } : {}), authmethods: methods ?? null };
    },

    // A router-signed ticket for the CALLING session's authid on the given realm.
    "bondy.ticket.issue": (call) => {
      const realm = knownRealm(ctx, call.args).uri;
      const b = bodyArg(call, 1, "options", TicketBody);
      const authid = call.callerAuthid;
      if (!authid) throw new AdminError("wamp.error.not_authorized", "the calling session has no authid");
      const user = repo.user(realm, authid);
      if (!user) throw new AdminError(NOT_FOUND.user, `no user "${authid}" in realm "${realm}" to issue a ticket for`);
      if (b.expiry_time_secs !== undefined && !(b.expiry_time_secs > 0)) throw invalid("Arguments[1] (options).expiry_time_secs must be positive");
      const { ticket, claims } = issuer().issue({
        realm, authid, ...(user.authrole ? { authrole: user.authrole } : {}),
        ...(b.scope ? { scope: b.scope } : {}), ...(b.expiry_time_secs ? { ttlSeconds: b.expiry_time_secs } : {}),
      });
      const key = `${realm}\u0000${authid}`;
      const list = (ctx.issued.get(key) ?? []).filter((t) => t.exp * 1000 > now());
      list.push({ jti: claims.jti, exp: claims.exp });
      ctx.issued.set(key, list);
      ctx.publish("bondy.ticket.issued", [realm, authid, { id: claims.jti, expires_at: claims.exp }]);
      return { ticket, id: claims.jti, issued_at: claims.iat, expires_at: claims.exp, scope: claims.scope ?? {} };
    },
    // Revokes one ticket, given as the ticket itself (Arguments[1]).
    "bondy.ticket.revoke": (call) => {
      const realm = knownRealm(ctx, call.args).uri;
      const ticket = textArg(call, 1, "ticket");
      const claims = issuer().verify(ticket, realm);
      if ("error" in claims) throw invalid(`Arguments[1] (ticket): ${claims.error}`);
      issuer().revoke(claims.jti, claims.exp);
      const key = `${realm}\u0000${claims.sub}`;
      ctx.issued.set(key, (ctx.issued.get(key) ?? []).filter((t) => t.jti !== claims.jti));
      ctx.publish("bondy.ticket.revoked", [realm, claims.sub, { id: claims.jti }]);
      return undefined;
    },
    // Revokes every ticket issued so far for authid (default: the caller) on realm, durably
    // (the issuer records a "before" time); `revoked` counts those this process issued.
    "bondy.ticket.revoke_all": (call) => {
      const realm = knownRealm(ctx, call.args).uri;
      const authid = call.args[1] === undefined ? call.callerAuthid : textArg(call, 1, "authid");
      if (!authid) throw invalid("Arguments[1] (authid) is required");
      const key = `${realm}\u0000${authid}`;
      const list = (ctx.issued.get(key) ?? []).filter((t) => t.exp * 1000 > now());
      issuer().revokeAll(realm, authid);
      ctx.issued.delete(key);
      ctx.publish("bondy.ticket.revoked_all", [realm, authid, { count: list.length }]);
      return { revoked: list.length };
    },

    "bondy.session.self": (call) => {
      const s = ctx.router.realm(ctx.realm)?.sessions.get(call.caller);
      if (!s) throw new AdminError("wamp.error.no_such_session", "the calling session is gone");
      return { session: s.id, realm: s.realm, authid: s.authid, authrole: s.authrole, authmethod: s.identity.authmethod };
    },
    "bondy.ping": () => "pong",
  };
}
