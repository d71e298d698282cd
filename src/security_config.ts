import {
  array, boolean, define, defaulted, enums, nonempty, object, optional, record, refine, string, unknown,
} from "superstruct";

/**
 * The `store` section and each realm's `security` section of the config (schemas only; the
 * boot-time application to the repository is security_seed.ts). Kept out of config.ts so that
 * file stays about listeners and routing.
 */

/** Every authentication method a realm can offer (names as in the WAMP spec and Bondy). */
export const AUTH_METHODS = ["anonymous", "trust", "password", "ticket", "wampcra", "cryptosign", "wamp-scram"] as const;
/** Offered when a realm's security section names none: every method but trust (trust is opt-in). */
export const DEFAULT_AUTH_METHODS = ["anonymous", "password", "ticket", "wampcra", "cryptosign", "wamp-scram"];

export const PERMISSIONS = [
  "wamp.register", "wamp.unregister", "wamp.call", "wamp.cancel", "wamp.subscribe", "wamp.unsubscribe",
  "wamp.publish", "wamp.disclose_caller", "wamp.disclose_publisher",
] as const;

const authmethod = enums(AUTH_METHODS);
const text = nonempty(string());
const hexKey = refine(string(), "authorizedKey", (v) => /^[0-9a-fA-F]{64}$/.test(v) || "must be an Ed25519 public key as 64 hex characters");
const cidr = refine(string(), "cidr", (v) => isCidr(v) || "must be an IPv4 or IPv6 CIDR such as \"10.0.0.0/8\", \"::1/128\" or \"0.0.0.0/0\"");

/** Who a grant or source applies to: "all", "anonymous", {"user": authid} or {"group": name}. */
export type PrincipalConfig = "all" | "anonymous" | { user: string } | { group: string };
const PrincipalConfig = define<PrincipalConfig>("principal", (v) => {
  const ok = v === "all" || v === "anonymous" ||
    (typeof v === "object" && v !== null && Object.keys(v).length === 1 &&
      ((typeof (v as { user?: unknown }).user === "string" && (v as { user: string }).user !== "") ||
        (typeof (v as { group?: unknown }).group === "string" && (v as { group: string }).group !== "")));
  return ok || 'must be "all", "anonymous", {"user": "<authid>"} or {"group": "<name>"}';
});

const UserConfig = object({
  authid: text,
  /** Clear-text password from the config; stored only as derived material (password, wampcra, wamp-scram). */
  password: optional(text),
  /** Static tickets (ticket method); stored only as derived hashes. */
  tickets: optional(array(text)),
  /**
   * false: the wampcra key is the password itself, unsalted (for clients that sign with the
   * secret directly), which keeps a password-equivalent secret in the store. Absent: salted.
   */
  wampcraSalted: optional(boolean()),
  /** Cryptosign Ed25519 public keys, hex. */
  authorizedKeys: optional(array(hexKey)),
  groups: defaulted(array(text), () => []),
  authrole: optional(text),
  enabled: defaulted(boolean(), true),
  meta: defaulted(record(string(), unknown()), () => ({})),
});

const GroupConfig = object({
  name: text,
  groups: defaulted(array(text), () => []),
  meta: defaulted(record(string(), unknown()), () => ({})),
});

const GrantConfig = object({
  permissions: nonempty(array(enums(PERMISSIONS))),
  /** A URI (pattern) or "any". */
  uri: text,
  match: defaulted(enums(["exact", "prefix", "wildcard"]), "exact"),
  to: PrincipalConfig,
});

const SourceConfig = object({
  cidr,
  authmethods: array(authmethod),
  to: PrincipalConfig,
});

export const SecurityConfigSchema = object({
  enabled: defaulted(boolean(), false),
  /** Absent: the prototype's (when there is one), else DEFAULT_AUTH_METHODS (see security_seed.ts). */
  authmethods: optional(array(authmethod)),
  /** Name of a realm (with isPrototype: true) to inherit authmethods, groups, sources and grants from. */
  prototype: optional(text),
  isPrototype: defaulted(boolean(), false),
  allowConnections: defaulted(boolean(), true),
  users: defaulted(array(UserConfig), () => []),
  groups: defaulted(array(GroupConfig), () => []),
  grants: defaulted(array(GrantConfig), () => []),
  sources: defaulted(array(SourceConfig), () => []),
});

export const StoreConfigSchema = object({
  /** Directory of the durable store (causeway.db), or ":memory:" for a store that lives only as long as the process. */
  dataDir: defaulted(text, "./data"),
});

/** The realm fields checkSecurity needs (structural, so config.ts's Config fits). */
interface RealmLike {
  name: string;
  security: {
    prototype?: string;
    isPrototype: boolean;
    users: Array<{ authid: string }>;
    groups: Array<{ name: string; groups: string[] }>;
  };
}

/** Cross-field checks superstruct cannot express; returns the first problem, or undefined. */
export function checkSecurity(realms: RealmLike[]): string | undefined {
  const byName = new Map(realms.map((r) => [r.name, r]));
  for (const r of realms) {
    const s = r.security;
    const at = `realms[name="${r.name}"].security`;
    if (s.prototype !== undefined) {
      const p = byName.get(s.prototype);
      if (!p) return `${at}.prototype: realm "${s.prototype}" is not defined; add it to "realms" with security.isPrototype: true`;
      if (!p.security.isPrototype) return `${at}.prototype: realm "${s.prototype}" is not a prototype; set its security.isPrototype to true`;
      if (s.isPrototype) return `${at}: a prototype realm cannot have a prototype itself; remove prototype or isPrototype`;
    }
    const dup = duplicate(s.users.map((u) => u.authid));
    if (dup !== undefined) return `${at}.users: authid "${dup}" is listed twice`;
    const dupGroup = duplicate(s.groups.map((g) => g.name));
    if (dupGroup !== undefined) return `${at}.groups: group "${dupGroup}" is listed twice`;
    const cycle = groupCycle(s.groups);
    if (cycle) return `${at}.groups: nested groups form a cycle (${cycle.join(" → ")}); remove one of those memberships`;
  }
  return undefined;
}

function duplicate(names: string[]): string | undefined {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) return n;
    seen.add(n);
  }
  return undefined;
}

function groupCycle(groups: Array<{ name: string; groups: string[] }>): string[] | undefined {
  const nested = new Map(groups.map((g) => [g.name, g.groups]));
  const visit = (name: string, path: string[]): string[] | undefined => {
    if (path.includes(name)) return [...path.slice(path.indexOf(name)), name];
    for (const next of nested.get(name) ?? []) {
      const found = visit(next, [...path, name]);
      if (found) return found;
    }
    return undefined;
  };
  for (const g of groups) {
    const found = visit(g.name, []);
    if (found) return found;
  }
  return undefined;
}

function isCidr(v: string): boolean {
  const slash = v.lastIndexOf("/");
  if (slash < 0) return false;
  const addr = v.slice(0, slash);
  const bitsText = v.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return false;
  const bits = Number(bitsText);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(addr)) return bits <= 32 && addr.split(".").every((o) => Number(o) <= 255);
  if (!/^[0-9a-fA-F:.]+$/.test(addr) || !addr.includes(":") || bits > 128) return false;
  const halves = addr.split("::");
  if (halves.length > 2) return false;
  const groupsOk = (h: string) => h === "" || h.split(":").every((g) => /^[0-9a-fA-F]{1,4}$/.test(g) || /^\d{1,3}(\.\d{1,3}){3}$/.test(g));
  const count = halves.reduce((n, h) => n + (h === "" ? 0 : h.split(":").length), 0);
  return halves.every(groupsOk) && (halves.length === 2 ? count < 8 : count === 8);
}
