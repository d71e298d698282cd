import type { Config } from "./config.ts";
import type { RealmConfig } from "./router/mod.ts";
import type { Permission, SecurityRepository } from "./store/mod.ts";
import { type Logger, silentLogger } from "./util/log.ts";

/** Every permission: the default admin may call, publish, subscribe and register anything there. */
const ALL: Permission[] = [
  "wamp.register", "wamp.unregister", "wamp.call", "wamp.cancel", "wamp.subscribe", "wamp.unsubscribe",
  "wamp.publish", "wamp.disclose_caller", "wamp.disclose_publisher",
];

/**
 * The admin realm's first-boot security, unless the config file defines the realm itself (then
 * its `security` section, seeded like any realm's, is what counts).
 *
 * Safe default: security on; a user `admin` granted everything, who may log in ONLY by `trust`
 * and ONLY from the loopback addresses (127.0.0.1/32, ::1/128). Nobody else — no anonymous,
 * no remote address — has a source, so nothing else can even authenticate. An operator adds
 * password users (or a wider source) through the admin API itself. Written once: when the
 * repository already has the realm (a later boot), admin-API changes are kept as they are.
 */
export function seedAdminRealm(repo: SecurityRepository, config: Pick<Config, "adminRealm" | "realms">, log: Logger = silentLogger): void {
  const uri = config.adminRealm;
  if (config.realms.some((r) => r.name === uri) || repo.realm(uri)) return;
  repo.putRealm({
    uri, isPrototype: false, securityEnabled: true, allowConnections: true,
    authmethods: ["trust", "password", "ticket", "wampcra", "cryptosign", "wamp-scram"],
  });
  repo.putUser(uri, { authid: "admin", groups: [], enabled: true, authrole: "admin", meta: {}, credentials: {} });
  for (const cidr of ["127.0.0.1/32", "::1/128"]) repo.putSource(uri, { cidr, authmethods: ["trust"], to: { kind: "user", authid: "admin" } });
  repo.putGrant(uri, { id: "", permissions: ALL, resource: "any", to: { kind: "user", authid: "admin" } });
  log.info("admin realm created", { realm: uri, access: "user admin by trust from 127.0.0.1 and ::1 only" });
}

/**
 * The realms the router routes: the config's, the admin realm (when the config does not list
 * it), and realms created earlier through the admin API (origin "admin" in the repository; not
 * prototypes). A realm that only an older config listed is not routed again.
 */
export function routedRealms(config: Pick<Config, "adminRealm" | "realms">, repo: SecurityRepository): RealmConfig[] {
  const out: RealmConfig[] = [...config.realms];
  const known = new Set(out.map((r) => r.name));
  for (const r of repo.realms()) {
    if (r.isPrototype || r.origin !== "admin" || known.has(r.uri)) continue;
    known.add(r.uri);
    // Authentication on these realms is by the repository's methods; anonymous only where it says.
    out.push({ name: r.uri, anonymous: r.uri !== config.adminRealm });
  }
  if (!known.has(config.adminRealm)) out.push({ name: config.adminRealm, anonymous: false });
  return out;
}
