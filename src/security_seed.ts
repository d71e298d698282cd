import type { Config } from "./config.ts";
import { DEFAULT_AUTH_METHODS, type PrincipalConfig } from "./security_config.ts";
import type {
  Credentials, GrantRecord, GroupRecord, PasswordCredentials, Principal, RealmSecurityRecord, SecurityRepository,
  SourceRecord, Store, TicketCredential, UserRecord,
} from "./store/mod.ts";
import { principalKey } from "./store/mod.ts";
import { type Logger, silentLogger } from "./util/log.ts";

/**
 * Applies each realm's config `security` section to the repository at boot.
 *
 * Config is the source for what it lists: every listed realm, group, user, grant and source is
 * written as configured on each boot (so editing the file and restarting applies the edit, and
 * an admin-API change to a config-listed user is reset). What the admin API added beside the
 * config is kept. Entries the config seeded on an earlier boot and no longer lists are deleted;
 * the seed remembers what it wrote under `seed/security/<realm>`.
 *
 * Secrets: passwords and tickets become derived credentials through the functions of
 * src/auth/credentials.ts (passed in, so this file stays testable and the composition root
 * chooses). Deriving is slow on purpose (argon2id/PBKDF2), so a user's credentials are derived
 * again only when the configured secrets changed: the seed keeps a PBKDF2 verifier of them
 * (random salt, as strong as the stored password material) and a digest of the credentials it
 * wrote. Nothing secret is logged.
 */
export interface SeedDerivers {
  derivePasswordCredentials(password: string, opts?: { craUnsalted?: boolean }): PasswordCredentials | Promise<PasswordCredentials>;
  deriveTicketCredential(ticket: string): TicketCredential | Promise<TicketCredential>;
}

type RealmConfig = Config["realms"][number];
type UserConfig = RealmConfig["security"]["users"][number];

interface SeededUser {
  /** PBKDF2-SHA256 verifier of the configured password and tickets (hex), with its salt. */
  secret: { salt: string; hash: string };
  /** SHA-256 (hex) of the derived password/tickets credentials the seed wrote. */
  written: string;
}

interface SeedState {
  users: Record<string, SeededUser>;
  groups: string[];
  grants: string[];
  sources: string[];
}

const VERIFIER_ITERATIONS = 100_000;

export async function seedSecurity(
  repo: SecurityRepository,
  store: Store,
  realms: RealmConfig[],
  derivers: SeedDerivers,
  logger: Logger = silentLogger,
): Promise<void> {
  for (const rc of realms) await seedRealm(repo, store, rc, derivers, logger);
}

async function seedRealm(repo: SecurityRepository, store: Store, rc: RealmConfig, derivers: SeedDerivers, log: Logger): Promise<void> {
  const realm = rc.name;
  const sec = rc.security;
  const stateKey = `seed/security/${encodeURIComponent(realm)}`;
  const before = store.get<SeedState>(stateKey) ?? { users: {}, groups: [], grants: [], sources: [] };
  const after: SeedState = { users: {}, groups: [], grants: [], sources: [] };

  const record: RealmSecurityRecord = {
    uri: realm,
    isPrototype: sec.isPrototype,
    // No list of its own: a realm with a prototype inherits the prototype's (an empty list is
    // how the repository says "inherit"); any other realm offers the defaults.
    authmethods: [...(sec.authmethods ?? (sec.prototype !== undefined ? [] : DEFAULT_AUTH_METHODS))],
    securityEnabled: sec.enabled,
    allowConnections: sec.allowConnections,
  };
  if (sec.prototype !== undefined) record.prototype = sec.prototype;
  if (!same(repo.realm(realm), record)) repo.putRealm(record);

  // Groups before users and grants, nested groups in an order the cycle check accepts.
  for (const g of sec.groups) {
    const group: GroupRecord = { name: g.name, groups: [...g.groups], meta: g.meta };
    if (!same(repo.group(realm, g.name), group)) repo.putGroup(realm, group);
    after.groups.push(g.name);
  }

  for (const u of sec.users) {
    const { user, seeded } = await buildUser(u, repo.user(realm, u.authid), before.users[u.authid], derivers);
    if (!same(repo.user(realm, u.authid), user)) repo.putUser(realm, user);
    after.users[u.authid] = seeded;
  }

  sec.grants.forEach((g, i) => {
    // Config grants get ids from their position, so a reboot rewrites rather than duplicates.
    const grant: GrantRecord = {
      id: `config-${i}`,
      permissions: [...g.permissions],
      resource: g.uri === "any" ? "any" : { uri: g.uri, match: g.match },
      to: principal(g.to),
    };
    if (!same(repo.grants(realm).find((x) => x.id === grant.id), grant)) repo.putGrant(realm, grant);
    after.grants.push(grant.id);
  });

  for (const s of sec.sources) {
    const source: SourceRecord = { cidr: s.cidr, authmethods: [...s.authmethods], to: principal(s.to) };
    const key = sourceKey(source.cidr, source.to);
    if (!same(repo.sources(realm).find((x) => sourceKey(x.cidr, x.to) === key), source)) repo.putSource(realm, source);
    after.sources.push(key);
  }

  // What an earlier boot's config seeded and this config no longer lists.
  for (const authid of Object.keys(before.users)) if (!(authid in after.users)) repo.deleteUser(realm, authid);
  for (const name of before.groups) if (!after.groups.includes(name)) repo.deleteGroup(realm, name);
  for (const id of before.grants) if (!after.grants.includes(id)) repo.deleteGrant(realm, id);
  for (const key of before.sources) {
    if (after.sources.includes(key)) continue;
    const s = repo.sources(realm).find((x) => sourceKey(x.cidr, x.to) === key);
    if (s) repo.deleteSource(realm, s.cidr, s.to);
  }
  if (!same(before, after)) store.put(stateKey, after);
  if (sec.enabled || sec.users.length || sec.grants.length) {
    log.info("security configured", {
      realm, enabled: sec.enabled, users: sec.users.length, groups: sec.groups.length, grants: sec.grants.length,
      sources: sec.sources.length,
    });
  }
}

async function buildUser(
  u: UserConfig,
  existing: UserRecord | undefined,
  seeded: SeededUser | undefined,
  derivers: SeedDerivers,
): Promise<{ user: UserRecord; seeded: SeededUser }> {
  // wampcraSalted joins the verified secrets only when false, so existing seeds stay unchanged.
  const secrets = JSON.stringify({ password: u.password ?? null, tickets: u.tickets ?? [], ...(u.wampcraSalted === false ? { wampcraSalted: false } : {}) });
  const derived: Pick<Credentials, "password" | "tickets"> = {};
  const current = existing ? JSON.stringify(derivedPart(existing.credentials)) : undefined;
  let verifier = seeded?.secret;
  const unchanged = seeded !== undefined && current !== undefined && await sha256(current) === seeded.written &&
    await pbkdf2(secrets, seeded.secret.salt) === seeded.secret.hash;
  if (unchanged) {
    Object.assign(derived, derivedPart(existing!.credentials));
  } else {
    if (u.password !== undefined) derived.password = await derivers.derivePasswordCredentials(u.password, u.wampcraSalted === false ? { craUnsalted: true } : {});
    if (u.tickets?.length) derived.tickets = await Promise.all(u.tickets.map((t) => derivers.deriveTicketCredential(t)));
    const salt = hex(crypto.getRandomValues(new Uint8Array(16)));
    verifier = { salt, hash: await pbkdf2(secrets, salt) };
  }
  const credentials: Credentials = { ...derived };
  if (u.authorizedKeys?.length) credentials.authorizedKeys = u.authorizedKeys.map((k) => k.toLowerCase());
  const user: UserRecord = { authid: u.authid, groups: [...u.groups], enabled: u.enabled, meta: u.meta, credentials };
  if (u.authrole !== undefined) user.authrole = u.authrole;
  return { user, seeded: { secret: verifier!, written: await sha256(JSON.stringify(derivedPart(credentials))) } };
}

function derivedPart(c: Credentials): Pick<Credentials, "password" | "tickets"> {
  const out: Pick<Credentials, "password" | "tickets"> = {};
  if (c.password !== undefined) out.password = c.password;
  if (c.tickets !== undefined) out.tickets = c.tickets;
  return out;
}

export function principal(p: PrincipalConfig): Principal {
  if (p === "all" || p === "anonymous") return { kind: p };
  return "user" in p ? { kind: "user", authid: p.user } : { kind: "group", name: p.group };
}

function sourceKey(cidr: string, to: Principal): string {
  return `${cidr} ${principalKey(to)}`;
}

/** Structural equality of JSON data (records are plain JSON). */
function same(a: unknown, b: unknown): boolean {
  return a !== undefined && canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a < b ? -1 : 1)) : x);
}

async function pbkdf2(text: string, saltHex: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(text), "PBKDF2", false, ["deriveBits"]);
  const salt = new Uint8Array(saltHex.match(/../g)!.map((h) => parseInt(h, 16)));
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: VERIFIER_ITERATIONS }, key, 256);
  return hex(new Uint8Array(bits));
}

async function sha256(text: string): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))));
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}
