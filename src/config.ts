import {
  array, assert, boolean, defaulted, enums, integer, max, min, object, optional, record, refine, size, string, unknown,
  StructError, type Infer, type Struct,
} from "superstruct";
import { hostname } from "node:os";
import type { LogLevel } from "./util/log.ts";
import { checkSecurity, SecurityConfigSchema, StoreConfigSchema } from "./security_config.ts";

/**
 * Causeway's configuration: schema, embedded defaults, environment overrides.
 * Validated with superstruct (cold path); every error names the file, the key and the fix.
 */

const port = refine(integer(), "port", (v) => (v >= 0 && v <= 65535) || "must be an integer from 0 to 65535 (0 picks a free port)");
const name = refine(string(), "name", (v) => /^[A-Za-z][A-Za-z0-9_-]*$/.test(v) || "must start with a letter and use only letters, digits, - and _");
const realmName = refine(string(), "realm", (v) => /^[^\s#.]+(\.[^\s#.]+)*$/.test(v) || "must be a WAMP URI such as \"realm1\" or \"com.example.app\"");
const bytes = (lo: number, hi: number) => size(integer(), lo, hi);

const ListenerSchema = object({
  name,
  transport: enums(["websocket", "rawsocket"]),
  host: defaulted(string(), "0.0.0.0"),
  port,
  /** WebSocket only: the HTTP path that accepts WAMP upgrades. */
  path: defaulted(refine(string(), "path", (v) => v.startsWith("/") || "must start with \"/\""), "/ws"),
  /** Largest incoming message in bytes; RawSocket announces it rounded down to a power of two. */
  maxMessageSize: optional(bytes(512, 16 * 1024 * 1024)),
  /** TLS (wss / RawSocket over TLS): PEM files read at startup and again on SIGHUP. */
  tls: optional(object({ cert: size(string(), 1, 4096), key: size(string(), 1, 4096) })),
  /** Also accept Causeway edge links here (WebSocket subprotocol causeway.edge.v1 / RawSocket serializer 15). */
  edge: defaulted(boolean(), false),
});

const RealmSchema = object({
  name: realmName,
  /** Open to anonymous sessions (the only authentication method until security is set up). */
  anonymous: defaulted(boolean(), true),
  /** WAMP URI rules for procedures and topics on this realm. */
  uriCheck: defaulted(enums(["loose", "strict"]), "loose"),
  /** Router-side call timeout (ms) when a CALL sets none; 0 = none. */
  defaultCallTimeoutMs: defaulted(min(integer(), 0), 0),
  /** Upper bound (ms) for CALL.Options.timeout; 0 = unbounded. */
  maxCallTimeoutMs: defaulted(min(integer(), 0), 0),
  /** Event retention (publish with retain: true). */
  retention: defaulted(object({
    maxTopics: defaulted(min(integer(), 0), 10_000),
    ttlMs: defaulted(min(integer(), 0), 0),
  }), () => ({})),
  /** Call and publication trust levels by authrole, e.g. {"backend": 2}; unlisted roles get none. */
  trustLevels: defaulted(record(string(), min(integer(), 0)), () => ({})),
  /** Event history kept for wamp.subscription.get_events. */
  eventHistory: defaulted(array(object({
    topic: string(),
    match: defaulted(enums(["exact", "prefix", "wildcard"]), "exact"),
    limit: size(integer(), 1, 100_000),
  })), () => []),
  /** Authentication and authorization (issue 4): see security_config.ts and the README. */
  security: defaulted(SecurityConfigSchema, () => ({})),
});

const LimitsSchema = object({
  /** Default largest incoming message (bytes) for listeners that do not set their own. */
  maxMessageSize: defaulted(bytes(512, 16 * 1024 * 1024), 16 * 1024 * 1024),
  /** Bytes a session may have queued outbound before it counts as a slow consumer. */
  outboundBufferBytes: defaulted(min(integer(), 64 * 1024), 8 * 1024 * 1024),
  /** How long a session may stay over outboundBufferBytes before it is closed. */
  slowConsumerGraceMs: defaulted(max(min(integer(), 0), 600_000), 5000),
  /** Delay before answering an authentication failure; doubles per further failure from the same address and authid. */
  authFailureDelayMs: defaulted(max(min(integer(), 0), 60_000), 250),
  /** Cap of that delay. */
  authFailureMaxDelayMs: defaulted(max(min(integer(), 0), 600_000), 8000),
  /** How long a client may take to answer a CHALLENGE. */
  authenticateTimeoutMs: defaulted(max(min(integer(), 100), 600_000), 30_000),
  /** Joined client sessions at most (router-internal ones do not count); 0 = unlimited. */
  maxSessions: defaulted(min(integer(), 0), 10_000),
  /** A connection that sends no HELLO within this many ms is closed; 0 = never. */
  helloTimeoutMs: defaulted(max(min(integer(), 0), 600_000), 10_000),
  /** Requests (CALL, PUBLISH, SUBSCRIBE, REGISTER, …) per second per session; 0 = unlimited. */
  requestsPerSecond: defaulted(min(integer(), 0), 0),
  /** Requests a session may send in a burst before the rate applies; 0 = requestsPerSecond. */
  requestBurst: defaulted(min(integer(), 0), 0),
});

export const ConfigSchema = object({
  /** This router's node id (edge links name their ends by it). Default: the host name. */
  node: defaulted(size(string(), 1, 255), () => hostname()),
  listeners: defaulted(array(ListenerSchema), () => defaultListeners()),
  realms: defaulted(array(RealmSchema), () => [{ name: "realm1" }]),
  limits: defaulted(LimitsSchema, () => ({})),
  /** The durable store (security state): see security_config.ts. */
  store: defaulted(StoreConfigSchema, () => ({})),
  /**
   * The realm of the admin API (bondy.* procedures; see the README's "Admin API"). Created at
   * boot with security on; unless this file defines it, only a local `admin` user by trust.
   */
  adminRealm: defaulted(size(string(), 1, 1024), "causeway.admin"),
  log: defaulted(object({
    level: defaulted(enums(["debug", "info", "warn", "error"]), "info"),
    /** "json" (JSON lines), "pretty" (human-readable), "auto" (pretty when stdout is a terminal). */
    format: defaulted(enums(["json", "pretty", "auto"]), "auto"),
  }), () => ({})),
  /**
   * A separate HTTP listener for /ping, /ready and /metrics (e.g. on 127.0.0.1 only). These
   * paths are always served on every WebSocket listener too.
   */
  http: optional(object({ host: defaulted(string(), "127.0.0.1"), port })),
  /**
   * Edge mode: uplinks to a remote core. Passed through as is here and validated by
   * edge/config.ts (from mod.ts, for running and for `check-config`): src/ never imports edge/.
   */
  uplinks: optional(array(unknown())),
});

export type Config = Infer<typeof ConfigSchema>;
export type ListenerConfig = Config["listeners"][number];

function defaultListeners() {
  return [
    { name: "ws", transport: "websocket" as const, host: "0.0.0.0", port: 8080, path: "/ws", edge: false },
    { name: "rawsocket", transport: "rawsocket" as const, host: "0.0.0.0", port: 8081, path: "/ws", edge: false },
  ];
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Validates raw config (parsed JSON) and fills defaults. `source` names where it came from
 * ("embedded default" or the file path) in error messages.
 */
export function parseConfig(raw: unknown, source: string): Config {
  const struct = ConfigSchema as Struct<Config, unknown>;
  try {
    const [err, value] = struct.validate(raw, { coerce: true });
    if (err) throw err;
    assert(value, struct);
    checkUnique(value, source);
    return value;
  } catch (err) {
    if (err instanceof StructError) throw new ConfigError(describe(err, source));
    throw err;
  }
}

function describe(err: StructError, source: string): string {
  const f = err.failures()[0] ?? err;
  const key = f.path.length ? f.path.join(".") : "(top level)";
  if (f.type === "never") {
    return `Invalid config in ${source}: unknown key "${key}": remove it or check its spelling (see the README's config reference)`;
  }
  const got = f.value === undefined ? "nothing" : JSON.stringify(f.value);
  const fix = f.refinement ? f.message : f.message.replace(/, but received:.*$/, "");
  return `Invalid config in ${source}: at "${key}": ${fix} (got ${got})`;
}

function checkUnique(cfg: Config, source: string): void {
  const seen = new Set<string>();
  for (const l of cfg.listeners) {
    if (seen.has(l.name)) throw new ConfigError(`Invalid config in ${source}: listener name "${l.name}" is used twice; give each listener its own name`);
    seen.add(l.name);
  }
  const realms = new Set<string>();
  for (const r of cfg.realms) {
    if (realms.has(r.name)) throw new ConfigError(`Invalid config in ${source}: realm "${r.name}" is defined twice`);
    realms.add(r.name);
  }
  const security = checkSecurity(cfg.realms);
  if (security) throw new ConfigError(`Invalid config in ${source}: at ${security}`);
}

/** Parses JSON text from a config file with an error that points at the file. */
export function parseConfigText(text: string, path: string): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`Cannot read config ${path}: not valid JSON (${(err as Error).message})`);
  }
  return parseConfig(raw, path);
}

/**
 * Environment overrides, applied after the file:
 * - CAUSEWAY_LISTEN_<NAME>=host:port overrides the listener named <name> (e.g.
 *   CAUSEWAY_LISTEN_WS=127.0.0.1:0, CAUSEWAY_LISTEN_RAWSOCKET=:9000);
 * - CAUSEWAY_LOG_LEVEL=debug|info|warn|error;
 * - CAUSEWAY_DATA_DIR=<dir> (or ":memory:") overrides store.dataDir.
 */
export function applyEnv(cfg: Config, env: (name: string) => string | undefined): Config {
  const listeners = cfg.listeners.map((l) => {
    const key = `CAUSEWAY_LISTEN_${l.name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
    const value = env(key);
    if (value === undefined || value === "") return l;
    const m = /^(.*):(\d+)$/.exec(value);
    const p = m ? Number(m[2]) : NaN;
    if (!m || p > 65535) throw new ConfigError(`Invalid ${key}="${value}": expected host:port, e.g. 127.0.0.1:8080 or :8080`);
    return { ...l, host: m[1] === "" ? l.host : m[1].replace(/^\[(.*)\]$/, "$1"), port: p };
  });
  const level = env("CAUSEWAY_LOG_LEVEL");
  if (level !== undefined && !["debug", "info", "warn", "error"].includes(level)) {
    throw new ConfigError(`Invalid CAUSEWAY_LOG_LEVEL="${level}": use debug, info, warn or error`);
  }
  const dataDir = env("CAUSEWAY_DATA_DIR");
  const store = dataDir ? { ...cfg.store, dataDir } : cfg.store;
  return { ...cfg, listeners, store, log: { ...cfg.log, level: (level as LogLevel | undefined) ?? cfg.log.level } };
}

/** The embedded default: WebSocket on 8080 (/ws), RawSocket on 8081, realm1 open to anonymous. */
export function defaultConfig(): Config {
  return parseConfig({}, "embedded default");
}
