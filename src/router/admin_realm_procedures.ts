import { array, boolean, enums, nonempty, object, optional, string } from "superstruct";
import { isValidUri } from "../wamp/uri.ts";
import type { RealmSecurityRecord } from "../store/security_records.ts";
import type { AdminContext } from "./admin_api.ts";
import { AdminError, ALREADY_EXISTS, type AdminProcedures, bodyArg, invalid, NOT_FOUND, textArg } from "./admin_procedure.ts";

/** Methods a realm created without a list offers (every method but trust, which is opt-in). */
export const DEFAULT_AUTHMETHODS = ["anonymous", "password", "ticket", "wampcra", "cryptosign", "wamp-scram"];
export const AUTHMETHODS = ["anonymous", "trust", "password", "ticket", "wampcra", "cryptosign", "wamp-scram"] as const;

const RealmFields = {
  description: optional(string()),
  authmethods: optional(array(enums(AUTHMETHODS))),
  security_enabled: optional(boolean()),
  is_prototype: optional(boolean()),
  prototype_uri: optional(nonempty(string())),
  allow_connections: optional(boolean()),
};
const RealmCreate = object({ uri: nonempty(string()), ...RealmFields });
const RealmUpdate = object(RealmFields);

export function realmView(r: RealmSecurityRecord, routed: boolean): Record<string, unknown> {
  return {
    uri: r.uri,
    authmethods: [...r.authmethods],
    security_enabled: r.securityEnabled,
    is_prototype: r.isPrototype,
    ...(r.prototype ? { prototype_uri: r.prototype } : {}),
    allow_connections: r.allowConnections,
    routed,
  };
}

/** The realm URI in Arguments[0], which must name a known realm. */
export function knownRealm(ctx: AdminContext, args: unknown[], i = 0): RealmSecurityRecord {
  const uri = textArg({ args, kwargs: {}, caller: 0 }, i, "realm uri");
  const r = ctx.repo.realm(uri);
  if (!r) throw new AdminError(NOT_FOUND.realm, `no realm "${uri}"`);
  return r;
}

function checkPrototype(ctx: AdminContext, r: RealmSecurityRecord): void {
  if (r.prototype === undefined) return;
  if (r.isPrototype) throw invalid("prototype_uri: a prototype realm cannot itself have a prototype");
  const p = ctx.repo.realm(r.prototype);
  if (!p?.isPrototype) throw invalid(`prototype_uri: "${r.prototype}" is not a prototype realm`);
}

export function realmProcedures(ctx: AdminContext): AdminProcedures {
  const { repo, router } = ctx;
  const routed = (uri: string) => router.realm(uri) !== undefined;
  const setSecurity = (args: unknown[], on: boolean) => {
    const r = knownRealm(ctx, args);
    repo.putRealm({ ...r, securityEnabled: on });
    ctx.publish(on ? "bondy.realm.security.enabled" : "bondy.realm.security.disabled", [r.uri]);
    return on ? "enabled" : "disabled";
  };
  return {
    "bondy.realm.create": (call) => {
      const b = bodyArg(call, 0, "realm", RealmCreate);
      if (!isValidUri(b.uri, { strict: false })) throw invalid(`Arguments[0] (realm).uri: "${b.uri}" is not a valid WAMP URI`);
      if (repo.realm(b.uri) || routed(b.uri)) throw new AdminError(ALREADY_EXISTS, `realm "${b.uri}" already exists`);
      const r: RealmSecurityRecord = {
        uri: b.uri,
        isPrototype: b.is_prototype ?? false,
        authmethods: [...(b.authmethods ?? (b.prototype_uri ? [] : DEFAULT_AUTHMETHODS))],
        securityEnabled: b.security_enabled ?? true,
        allowConnections: b.allow_connections ?? true,
        origin: "admin",
      };
      if (b.prototype_uri) r.prototype = b.prototype_uri;
      checkPrototype(ctx, r);
      repo.putRealm(r);
      // Prototypes are templates, never routed (as in Bondy).
      if (!r.isPrototype) router.createRealm({ name: r.uri });
      ctx.publish("bondy.realm.created", [r.uri]);
      return realmView(r, routed(r.uri));
    },
    "bondy.realm.get": (call) => {
      const r = knownRealm(ctx, call.args);
      return realmView(r, routed(r.uri));
    },
    "bondy.realm.list": () => repo.realms().map((r) => realmView(r, routed(r.uri))),
    "bondy.realm.update": (call) => {
      const r = knownRealm(ctx, call.args);
      const b = bodyArg(call, 1, "changes", RealmUpdate);
      const next: RealmSecurityRecord = {
        ...r,
        ...(b.authmethods ? { authmethods: [...b.authmethods] } : {}),
        ...(b.security_enabled !== undefined ? { securityEnabled: b.security_enabled } : {}),
        ...(b.allow_connections !== undefined ? { allowConnections: b.allow_connections } : {}),
        ...(b.prototype_uri !== undefined ? { prototype: b.prototype_uri } : {}),
      };
      if (r.uri === ctx.realm && (b.security_enabled === false || b.allow_connections === false)) {
        throw new AdminError("wamp.error.not_authorized", "the admin realm keeps security on and connections allowed");
      }
      if (b.is_prototype !== undefined && b.is_prototype !== r.isPrototype) {
        throw invalid("Arguments[1] (changes).is_prototype cannot be changed after creation");
      }
      checkPrototype(ctx, next);
      repo.putRealm(next);
      ctx.publish("bondy.realm.updated", [r.uri]);
      return realmView(next, routed(r.uri));
    },
    "bondy.realm.delete": (call) => {
      const r = knownRealm(ctx, call.args);
      if (r.uri === ctx.realm) throw new AdminError("wamp.error.not_authorized", `the admin realm "${r.uri}" cannot be deleted`);
      const users = repo.realms().filter((x) => x.prototype === r.uri).map((x) => x.uri);
      if (users.length > 0) throw invalid(`realm "${r.uri}" is the prototype of ${users.join(", ")}`);
      repo.deleteRealm(r.uri);
      router.deleteRealm(r.uri);
      ctx.publish("bondy.realm.deleted", [r.uri]);
      return undefined;
    },
    "bondy.realm.security.enable": (call) => setSecurity(call.args, true),
    "bondy.realm.security.disable": (call) => {
      if (call.args[0] === ctx.realm) throw new AdminError("wamp.error.not_authorized", "security cannot be disabled on the admin realm");
      return setSecurity(call.args, false);
    },
    "bondy.realm.security.status": (call) => (knownRealm(ctx, call.args).securityEnabled ? "enabled" : "disabled"),
  };
}
