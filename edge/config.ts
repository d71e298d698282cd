import {
  array, boolean, defaulted, enums, type Infer, integer, max, min, object, optional, refine, size, string, type Struct,
  StructError,
} from "superstruct";
import { isValidPattern } from "../src/wamp/mod.ts";
import type { RemoteAuth } from "./remote_auth.ts";

/**
 * The `uplinks` section of the config file (src/config.ts passes it through unvalidated; this
 * file validates it, for running and for `causeway check-config`). Every error names the key
 * and what to do. Secrets never sit in the file: a cryptosign key or a ticket comes from a file
 * (`privateKeyFile`, `ticketFile`) or an environment variable (`privateKeyEnv`, `ticketEnv`),
 * and a key or ticket written in clear is refused.
 */

const name = refine(string(), "name", (v) => /^[A-Za-z][A-Za-z0-9_-]*$/.test(v) || "must start with a letter and use only letters, digits, - and _");
const realmName = refine(string(), "realm", (v) => /^[^\s#.]+(\.[^\s#.]+)*$/.test(v) || "must be a WAMP URI such as \"realm1\" or \"com.example.site\"");
const url = refine(string(), "url", (v) => {
  const m = /^(ws|wss|tcp|tls):\/\/([^/:]+|\[[0-9a-fA-F:]+\])(:(\d{1,5}))?(\/.*)?$/.exec(v);
  if (!m) return "must be ws://host:port/path, wss://…, tcp://host:port or tls://host:port";
  if ((m[1] === "tcp" || m[1] === "tls") && !m[4]) return `a ${m[1]}:// url needs a port, e.g. ${m[1]}://core.example:8081`;
  if (m[4] && Number(m[4]) > 65535) return "port must be from 1 to 65535";
  return true;
});
const ms = (lo: number, hi: number) => max(min(integer(), lo), hi);
const nonEmpty = size(string(), 1, 4096);
const envName = refine(string(), "env", (v) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) || "must be an environment variable name such as CAUSEWAY_EDGE_KEY");

const MATCH = ["exact", "prefix", "wildcard"] as const;
const FilterSchema = object({
  uri: nonEmpty,
  match: defaulted(enums(MATCH), "exact"),
});

const AuthSchema = object({
  method: defaulted(enums(["anonymous", "ticket", "cryptosign"]), "anonymous"),
  authid: optional(nonEmpty),
  /** cryptosign: file holding the Ed25519 private key seed (64 hex characters). */
  privateKeyFile: optional(nonEmpty),
  /** cryptosign: environment variable holding the seed. */
  privateKeyEnv: optional(envName),
  ticketFile: optional(nonEmpty),
  ticketEnv: optional(envName),
});

const DirectionSchema = object({
  procedures: defaulted(array(FilterSchema), () => []),
  topics: defaulted(array(FilterSchema), () => []),
});

const RealmMapSchema = object({
  local: realmName,
  /** Realm on the core; default: the same name. */
  remote: optional(realmName),
  /** Overrides the uplink's auth for this realm's session. */
  auth: optional(AuthSchema),
  export: defaulted(DirectionSchema, () => ({})),
  import: defaulted(DirectionSchema, () => ({})),
});

const UplinkSchema = object({
  name,
  url,
  mode: defaulted(enums(["link", "compat"]), "link"),
  /** This edge's node id on the link; default: the hostname. */
  node: optional(nonEmpty),
  /** Link payload (link mode) or WAMP serializer (compat mode). */
  serializer: defaulted(enums(["json", "msgpack", "cbor"]), "json"),
  tls: optional(object({
    /** PEM file with the CA(s) that signed the core's certificate. */
    ca: optional(nonEmpty),
    rejectUnauthorized: defaulted(boolean(), true),
    serverName: optional(nonEmpty),
  })),
  auth: defaulted(AuthSchema, () => ({})),
  backoff: defaulted(object({
    minMs: defaulted(ms(0, 3_600_000), 500),
    maxMs: defaulted(ms(1, 3_600_000), 30_000),
    jitter: defaulted(enums(["full", "equal"]), "equal"),
    /** An uplink that stayed up this long starts over from minMs after the next loss. */
    stableMs: defaulted(ms(0, 3_600_000), 10_000),
  }), () => ({})),
  keepalive: defaulted(object({
    intervalMs: defaulted(ms(100, 3_600_000), 10_000),
    timeoutMs: defaulted(ms(50, 600_000), 5_000),
    maxAttempts: defaulted(ms(1, 100), 3),
  }), () => ({})),
  /** Connect + link handshake, and separately joining every realm, must finish within this. */
  connectTimeoutMs: defaulted(ms(100, 600_000), 10_000),
  /** Largest message on the link (or compat connection), in bytes. */
  maxMessageSize: optional(size(integer(), 512, 16 * 1024 * 1024)),
  buffer: defaulted(object({
    maxMessages: defaulted(ms(0, 10_000_000), 10_000),
    overflow: defaulted(enums(["drop_oldest", "drop_newest"]), "drop_oldest"),
  }), () => ({})),
  realms: size(array(RealmMapSchema), 1, 1000),
});

export type UplinkConfig = Infer<typeof UplinkSchema>;
export type UplinkAuthConfig = UplinkConfig["auth"];
export type RealmMapConfig = UplinkConfig["realms"][number];
export type FilterConfig = Infer<typeof FilterSchema>;

/** Keys that would put a secret in clear into the config file, and where it goes instead. */
const CLEAR_SECRETS: Record<string, string> = {
  privateKey: "privateKeyFile (a file with the 64-hex-character seed) or privateKeyEnv (an environment variable)",
  privateKeyHex: "privateKeyFile or privateKeyEnv",
  seed: "privateKeyFile or privateKeyEnv",
  ticket: "ticketFile (a file holding the ticket) or ticketEnv (an environment variable)",
  secret: "ticketFile/ticketEnv (ticket) or privateKeyFile/privateKeyEnv (cryptosign)",
  password: "ticketFile or ticketEnv with the ticket method (passwords are not supported on uplinks)",
};

export class UplinkConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Validates the raw `uplinks` array (from the parsed config file) and fills defaults.
 * `source` names the file in error messages.
 */
export function parseUplinks(raw: unknown, source: string): UplinkConfig[] {
  if (raw === undefined || raw === null) return [];
  const fail = (key: string, fix: string): never => {
    throw new UplinkConfigError(`Invalid config in ${source}: at "${key}": ${fix}`);
  };
  if (!Array.isArray(raw)) fail("uplinks", "must be an array of uplinks (see the README's Edge section)");
  (raw as unknown[]).forEach((u, i) => refuseClearSecrets(u, `uplinks.${i}`, fail));
  const struct = array(UplinkSchema) as unknown as Struct<UplinkConfig[], unknown>;
  const [err, value] = struct.validate(raw, { coerce: true });
  if (err) throw new UplinkConfigError(describe(err, source));
  const uplinks = value!;
  const names = new Set<string>();
  uplinks.forEach((u, i) => {
    const at = `uplinks.${i}`;
    if (names.has(u.name)) fail(`${at}.name`, `uplink name "${u.name}" is used twice; give each uplink its own name`);
    names.add(u.name);
    if (u.backoff.minMs > u.backoff.maxMs) fail(`${at}.backoff`, `minMs (${u.backoff.minMs}) must not exceed maxMs (${u.backoff.maxMs})`);
    const scheme = u.url.slice(0, u.url.indexOf(":"));
    if (u.tls && scheme !== "wss" && scheme !== "tls") fail(`${at}.tls`, `TLS options need a wss:// or tls:// url (the url is ${scheme}://); remove tls or change the url`);
    if (u.mode === "compat" && scheme === "wss" && (u.tls?.ca || u.tls?.rejectUnauthorized === false || u.tls?.serverName)) {
      fail(`${at}.tls`, "compat mode over wss:// uses the runtime's WebSocket client, which takes the system's trusted CAs only; use a tls:// (RawSocket) url for a private CA, or install the CA in the system store");
    }
    checkAuth(u.auth, `${at}.auth`, fail);
    const locals = new Set<string>();
    u.realms.forEach((r, j) => {
      const rat = `${at}.realms.${j}`;
      if (locals.has(r.local)) fail(`${rat}.local`, `local realm "${r.local}" is bridged twice by uplink "${u.name}"; merge the two entries`);
      locals.add(r.local);
      if (r.auth) checkAuth(r.auth, `${rat}.auth`, fail);
      for (const dir of ["export", "import"] as const) {
        for (const kind of ["procedures", "topics"] as const) {
          r[dir][kind].forEach((f, k) => {
            if (!isValidPattern(f.uri, f.match, false)) {
              fail(`${rat}.${dir}.${kind}.${k}.uri`, `"${f.uri}" is not a valid ${f.match} URI pattern${f.match === "exact" ? " (for a prefix such as \"com.acme.\" set \"match\": \"prefix\")" : ""}`);
            }
          });
        }
      }
    });
  });
  return uplinks;
}

function refuseClearSecrets(uplink: unknown, at: string, fail: (key: string, fix: string) => never): void {
  const check = (auth: unknown, where: string) => {
    if (auth === null || typeof auth !== "object") return;
    for (const key of Object.keys(auth)) {
      const instead = CLEAR_SECRETS[key];
      if (instead) fail(`${where}.${key}`, `secrets are not accepted in the config file in clear; remove "${key}" and use ${instead}`);
    }
  };
  if (uplink === null || typeof uplink !== "object") return;
  const u = uplink as { auth?: unknown; realms?: unknown };
  check(u.auth, `${at}.auth`);
  if (Array.isArray(u.realms)) u.realms.forEach((r, j) => check((r as { auth?: unknown } | null)?.auth, `${at}.realms.${j}.auth`));
}

function checkAuth(auth: UplinkAuthConfig, at: string, fail: (key: string, fix: string) => never): void {
  const keyFrom = [auth.privateKeyFile, auth.privateKeyEnv].filter((v) => v !== undefined).length;
  const ticketFrom = [auth.ticketFile, auth.ticketEnv].filter((v) => v !== undefined).length;
  if (auth.method === "cryptosign") {
    if (!auth.authid) fail(`${at}.authid`, "cryptosign needs an authid (the user on the core whose authorizedKeys hold this edge's public key)");
    if (keyFrom !== 1) fail(at, "cryptosign needs exactly one of privateKeyFile (a file with the 64-hex-character Ed25519 seed) or privateKeyEnv (an environment variable holding it)");
    if (ticketFrom) fail(at, "ticketFile/ticketEnv belong to the ticket method; remove them or set \"method\": \"ticket\"");
  } else if (auth.method === "ticket") {
    if (!auth.authid) fail(`${at}.authid`, "the ticket method needs an authid");
    if (ticketFrom !== 1) fail(at, "the ticket method needs exactly one of ticketFile (a file holding the ticket) or ticketEnv (an environment variable holding it)");
    if (keyFrom) fail(at, "privateKeyFile/privateKeyEnv belong to the cryptosign method; remove them or set \"method\": \"cryptosign\"");
  } else if (keyFrom || ticketFrom) {
    fail(`${at}.method`, `a key or ticket source is set but the method is "anonymous"; set "method": "cryptosign" or "ticket"`);
  }
}

function describe(err: StructError, source: string): string {
  const f = err.failures()[0] ?? err;
  const key = ["uplinks", ...f.path].join(".");
  if (f.type === "never") {
    return `Invalid config in ${source}: unknown key "${key}": remove it or check its spelling (see the README's Edge section)`;
  }
  const got = f.value === undefined ? "nothing" : JSON.stringify(f.value);
  let fix = f.refinement ? f.message : f.message.replace(/, but received:.*$/, "");
  if (f.path[f.path.length - 1] === "realms" && f.type === "array") fix = "must list at least one realm to bridge: [{\"local\": \"realm1\"}]";
  return `Invalid config in ${source}: at "${key}": ${fix} (got ${got})`;
}

export interface SecretSources {
  readTextFile(path: string): Promise<string>;
  env(name: string): string | undefined;
}

/**
 * Reads the key or ticket an auth section points at. Errors name the key, the file or
 * variable, and the fix. `at` is the config key (e.g. "uplinks.0.auth").
 */
export async function resolveAuth(auth: UplinkAuthConfig, at: string, io: SecretSources, source: string): Promise<RemoteAuth> {
  const fail = (key: string, fix: string): never => {
    throw new UplinkConfigError(`Invalid config in ${source}: at "${at}.${key}": ${fix}`);
  };
  const read = async (fileKey: "privateKeyFile" | "ticketFile", envKey: "privateKeyEnv" | "ticketEnv"): Promise<string> => {
    const file = auth[fileKey];
    if (file !== undefined) {
      try {
        return (await io.readTextFile(file)).trim();
      } catch (err) {
        return fail(fileKey, `cannot read ${file}: ${(err as Error).message}`);
      }
    }
    const name = auth[envKey]!;
    const value = io.env(name);
    if (value === undefined || value.trim() === "") return fail(envKey, `the environment variable ${name} is not set (or empty); set it before starting`);
    return value.trim();
  };
  if (auth.method === "cryptosign") {
    const seed = await read("privateKeyFile", "privateKeyEnv");
    // A 64-byte hex key (seed followed by public key, as some tools write it) starts with the seed.
    if (!/^[0-9a-fA-F]{64}([0-9a-fA-F]{64})?$/.test(seed)) {
      const whence = auth.privateKeyFile !== undefined ? "privateKeyFile" : "privateKeyEnv";
      fail(whence, "the Ed25519 private key must be 64 hex characters (the 32-byte seed)");
    }
    return { method: "cryptosign", authid: auth.authid!, privateKeyHex: seed.slice(0, 64).toLowerCase() };
  }
  if (auth.method === "ticket") {
    const ticket = await read("ticketFile", "ticketEnv");
    return { method: "ticket", authid: auth.authid!, ticket };
  }
  return { method: "anonymous", ...(auth.authid !== undefined ? { authid: auth.authid } : {}) };
}

/** Every uplink realm's resolved auth (the realm's override, else the uplink's), in order. */
export async function resolveUplinkAuths(uplinks: UplinkConfig[], io: SecretSources, source: string): Promise<RemoteAuth[][]> {
  const out: RemoteAuth[][] = [];
  for (const [i, u] of uplinks.entries()) {
    const base = await resolveAuth(u.auth, `uplinks.${i}.auth`, io, source);
    const realms: RemoteAuth[] = [];
    for (const [j, r] of u.realms.entries()) {
      realms.push(r.auth ? await resolveAuth(r.auth, `uplinks.${i}.realms.${j}.auth`, io, source) : base);
    }
    out.push(realms);
  }
  return out;
}
