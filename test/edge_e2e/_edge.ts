// What the edge end-to-end tests share: config builders for a core router and an edge router
// (the README's Edge section: `edge: true` listeners on the core, an `uplinks` section on the
// edge), the two started as separate `causeway` processes, an optional TCP proxy between them,
// and small helpers to wait for a condition, read /metrics, call the edge status procedure and
// list the core's sessions through the meta API.
//
// Test configs use short keepalive and backoff so a lost link is noticed and healed in about a
// second; every assertion about it is a generous wait-for-condition, never a timing.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RouterProcess, startRouterProcess } from "../_harness/router_process.ts";
import { startTcpProxy, type TcpProxy } from "../_harness/tcp_proxy.ts";
import { autobahn, connectAutobahn } from "../interop/_autobahn.ts";
import { type InteropClient, type Kwargs, type Payload, withTimeout } from "../interop/_client.ts";
import { startPythonScript, type PythonPeer } from "../interop/_python.ts";
import { newWampy } from "../interop/_wampy.ts";
import type { Wampy } from "wampy";

type Json = Record<string, unknown>;

export const PY_PEER = join(dirname(fileURLToPath(import.meta.url)), "py", "edge_peer.py");

export const CORE_NODE = "core-e2e";
export const EDGE_NODE = "gw-e2e";
export const UPLINK = "cloud";

// ---------------------------------------------------------------------------------------------
// Configs

export interface CoreConfigOptions {
  /** Realms of the core (default: the two remote realms, anonymous, no security). */
  realms?: Json[];
  /** false: no `edge: true` on any listener (a core that only speaks WAMP). */
  edgeListeners?: boolean;
  /** PEM files: adds listeners "wss" (WebSocket) and "tlsrs" (RawSocket), both TLS with edge links. */
  tls?: { cert: string; key: string };
}

/** Remote (core) realm names the edge's local realms map to. */
export const REMOTE = { site: "com.acme.site17", plant: "com.acme.plant17" } as const;

/**
 * A core: listener "ws" (WebSocket, edge links accepted next to WAMP), "rawsocket" (RawSocket,
 * edge links by serializer id 15), and "plain" / "plainrs" (WebSocket / RawSocket listeners
 * without edge links).
 */
export function coreConfig(opts: CoreConfigOptions = {}): Json {
  const edge = opts.edgeListeners ?? true;
  return {
    node: CORE_NODE,
    listeners: [
      { name: "ws", transport: "websocket", host: "127.0.0.1", port: 0, ...(edge ? { edge: true } : {}) },
      { name: "rawsocket", transport: "rawsocket", host: "127.0.0.1", port: 0, ...(edge ? { edge: true } : {}) },
      { name: "plain", transport: "websocket", host: "127.0.0.1", port: 0 },
      { name: "plainrs", transport: "rawsocket", host: "127.0.0.1", port: 0 },
      ...(opts.tls
        ? [
          { name: "wss", transport: "websocket", host: "127.0.0.1", port: 0, edge: true, tls: opts.tls },
          { name: "tlsrs", transport: "rawsocket", host: "127.0.0.1", port: 0, edge: true, tls: opts.tls },
        ]
        : []),
    ],
    store: { dataDir: ":memory:" },
    realms: opts.realms ?? [{ name: REMOTE.site }, { name: REMOTE.plant }],
    log: { level: "info", format: "json" },
  };
}

export interface Filter {
  uri: string;
  match?: "exact" | "prefix" | "wildcard";
}
export interface RealmMap {
  local: string;
  remote?: string;
  auth?: Json;
  export?: { procedures?: Filter[]; topics?: Filter[] };
  import?: { procedures?: Filter[]; topics?: Filter[] };
}
export interface UplinkOptions {
  url: string;
  mode?: "link" | "compat";
  serializer?: "json" | "msgpack" | "cbor";
  auth?: Json;
  realms: RealmMap[];
  keepalive?: { intervalMs: number; timeoutMs: number; maxAttempts: number };
  backoff?: { minMs: number; maxMs: number };
  buffer?: { maxMessages: number; overflow: "drop_oldest" | "drop_newest" };
  /** The edge's node id (default EDGE_NODE). */
  node?: string;
  tls?: { ca?: string; rejectUnauthorized?: boolean; serverName?: string };
}

/** Short enough that a half-open link is noticed in about a second (1 s window here). */
export const TEST_KEEPALIVE = { intervalMs: 400, timeoutMs: 300, maxAttempts: 2 };
export const TEST_BACKOFF = { minMs: 100, maxMs: 800 };

/** An edge: its own local realms (anonymous) and one uplink named "cloud". */
export function edgeConfig(uplink: UplinkOptions, localRealms: string[] = uplink.realms.map((r) => r.local)): Json {
  const realms = uplink.realms.map((r) => ({
    local: r.local,
    remote: r.remote ?? r.local,
    ...(r.auth ? { auth: r.auth } : {}),
    export: { procedures: r.export?.procedures ?? [], topics: r.export?.topics ?? [] },
    import: { procedures: r.import?.procedures ?? [], topics: r.import?.topics ?? [] },
  }));
  return {
    listeners: [
      { name: "ws", transport: "websocket", host: "127.0.0.1", port: 0 },
      { name: "rawsocket", transport: "rawsocket", host: "127.0.0.1", port: 0 },
    ],
    store: { dataDir: ":memory:" },
    realms: localRealms.map((name) => ({ name })),
    log: { level: "info", format: "json" },
    uplinks: [{
      name: UPLINK,
      url: uplink.url,
      mode: uplink.mode ?? "link",
      node: uplink.node ?? EDGE_NODE,
      serializer: uplink.serializer ?? "json",
      ...(uplink.auth ? { auth: uplink.auth } : {}),
      ...(uplink.tls ? { tls: uplink.tls } : {}),
      backoff: uplink.backoff ?? TEST_BACKOFF,
      keepalive: uplink.keepalive ?? TEST_KEEPALIVE,
      buffer: uplink.buffer ?? { maxMessages: 100, overflow: "drop_oldest" },
      // A connection attempt into a dead network gives up quickly and backs off.
      connectTimeoutMs: 2000,
      realms,
    }],
  };
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Deno starts slower than Bun (it compiles mod.ts on first run): give it longer to be ready. */
const readyTimeoutMs = (runtime: Runtime) => (runtime === "deno" ? 60_000 : 15_000);
type Runtime = "bun" | "deno";

export function startCore(opts: CoreConfigOptions = {}, runtime: Runtime = "bun"): Promise<RouterProcess> {
  return startRouterProcess({ config: coreConfig(opts), runtime, readyTimeoutMs: readyTimeoutMs(runtime) });
}

export function startEdge(uplink: UplinkOptions, env: Record<string, string> = {}, runtime: Runtime = "bun"): Promise<RouterProcess> {
  return startRouterProcess({ config: edgeConfig(uplink), env, runtime, readyTimeoutMs: readyTimeoutMs(runtime) });
}

/** The "plain" (non-edge) WebSocket listener of a core. */
export function plainUrl(core: RouterProcess): string {
  const l = core.listeners.plain;
  if (!l) throw new Error("the core has no listener named plain");
  return l.url ?? `ws://${l.host}:${l.port}/ws`;
}

/** Port of the core's "plainrs" RawSocket listener (no edge links). */
export function plainRawsocketPort(core: RouterProcess): number {
  const l = core.listeners.plainrs;
  if (!l) throw new Error("the core has no listener named plainrs");
  return l.port;
}

/** SIGKILL: the process vanishes without GOODBYE (the kernel still closes its sockets). */
export async function killHard(proc: RouterProcess): Promise<void> {
  if (!proc.running()) return;
  const exited = new Promise<void>((r) => proc.process.once("exit", () => r()));
  try {
    if (proc.process.pid !== undefined) process.kill(proc.process.pid, "SIGKILL");
  } catch {
    // already gone
  }
  await withTimeout(exited, 5000, "router exit after SIGKILL");
}

/** A TCP proxy to the core's RawSocket listener. */
export function proxyTo(core: RouterProcess): Promise<TcpProxy> {
  return startTcpProxy({ host: "127.0.0.1", port: core.rawsocketPort });
}

/** A temp dir for key and ticket files; `cleanup()` removes it. */
export function secretsDir(): { dir: string; write(name: string, content: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "causeway-edge-e2e-"));
  return {
    dir,
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content, { mode: 0o600 });
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh Ed25519 key pair as hex: the 32-byte seed (private) and the 32-byte public key. */
export function ed25519KeyPair(): { seedHex: string; publicHex: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const pkcs8 = privateKey.export({ format: "der", type: "pkcs8" }) as Buffer;
  const spki = publicKey.export({ format: "der", type: "spki" }) as Buffer;
  return { seedHex: pkcs8.subarray(pkcs8.length - 32).toString("hex"), publicHex: spki.subarray(spki.length - 32).toString("hex") };
}

// ---------------------------------------------------------------------------------------------
// Waiting

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Retries `attempt` until it resolves with a value `accept` takes (default: any value, no
 * throw); rejects after `ms` with the last error or value. For conditions that become true
 * asynchronously (a registration re-established after a reconnect, …).
 */
export async function eventually<T>(
  what: string,
  attempt: () => Promise<T>,
  opts: { ms?: number; everyMs?: number; accept?: (value: T) => boolean } = {},
): Promise<T> {
  const end = Date.now() + (opts.ms ?? 15_000);
  let last: unknown = "never tried";
  while (Date.now() < end) {
    try {
      const value = await withTimeout(attempt(), Math.max(500, end - Date.now()), what);
      if (!opts.accept || opts.accept(value)) return value;
      last = `last value: ${JSON.stringify(value)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : JSON.stringify(err);
    }
    await sleep(opts.everyMs ?? 100);
  }
  throw new Error(`${what}: not within ${opts.ms ?? 15_000} ms (${last})`);
}

/** Resolves with the first log line of `proc` (from now or already seen) that contains every `parts`. */
export async function waitForLog(proc: RouterProcess, parts: string[], ms = 15_000): Promise<string> {
  return eventually(`log line with ${JSON.stringify(parts)}`, async () => {
    const line = proc.logs.find((l) => parts.every((p) => l.includes(p)));
    if (!line) throw new Error(`no such line yet; last lines:\n${proc.logs.slice(-15).join("\n")}`);
    return line;
  }, { ms });
}

/**
 * Received events, read in order with a deadline. Unlike interop's Inbox, a `next()` that timed
 * out leaves nothing behind (no stale waiter that would swallow a later event), so it can be
 * called in a retry loop while interest is still propagating.
 */
export class Events {
  readonly items: Payload[] = [];
  private cursor = 0;

  readonly push = (item: Payload): void => {
    this.items.push(item);
  };

  async next(ms = 5_000, what = "event"): Promise<Payload> {
    const end = Date.now() + ms;
    while (this.cursor >= this.items.length) {
      if (Date.now() > end) throw new Error(`${what}: no answer within ${ms} ms`);
      await sleep(5);
    }
    return this.items[this.cursor++];
  }
}

// ---------------------------------------------------------------------------------------------
// Observing the edge and the core

/** http://host:port/metrics of a router process's "ws" listener. */
export async function metricsText(proc: RouterProcess): Promise<string> {
  const l = proc.listeners.ws;
  const res = await fetch(`http://${l.host}:${l.port}/metrics`);
  return await res.text();
}

/** The value of one sample (`name{labels}`) in a /metrics text; undefined when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have: Record<string, string> = {};
    for (const pair of (m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) have[pair[1]] = pair[2];
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return undefined;
}

/** causeway_edge_link_up{uplink="cloud"} of the edge (undefined before the metric exists). */
export async function linkUp(edge: RouterProcess): Promise<number | undefined> {
  return sample(await metricsText(edge), "causeway_edge_link_up", { uplink: UPLINK });
}

/** Waits until the uplink reports up (1) or down (0) in the edge's /metrics. */
export function waitLink(edge: RouterProcess, up: boolean, ms = 15_000): Promise<number | undefined> {
  return eventually(`edge link ${up ? "up" : "down"}`, () => linkUp(edge), { ms, accept: (v) => v === (up ? 1 : 0) });
}

/** One anonymous autobahn-js session on `realm` at `url` for one thing, then it leaves. */
export async function withSession<T>(url: string, realm: string, fn: (c: InteropClient) => Promise<T>): Promise<T> {
  const client = await withTimeout(connectAutobahn({ type: "websocket", url, serializer: "json" }, realm), 5000, `join ${realm} at ${url}`);
  try {
    return await fn(client);
  } finally {
    await client.close().catch(() => {});
  }
}

/** The edge's status procedure (causeway.edge.status) called on a bridged local realm. */
export function edgeStatus(edge: RouterProcess, localRealm: string): Promise<Payload> {
  return withSession(edge.wsUrl, localRealm, (c) => c.call("causeway.edge.status"));
}

/** The core's sessions on `realm` (wamp.session.list + get), as the meta API details. */
export function coreSessions(core: RouterProcess, realm: string): Promise<Json[]> {
  return withSession(core.wsUrl, realm, async (c) => {
    const ids = (await c.call("wamp.session.list")).args[0] as number[];
    const out: Json[] = [];
    for (const id of ids) {
      if (id === c.sessionId) continue;
      out.push((await c.call("wamp.session.get", [id])).args[0] as Json);
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// Clients

/** A slice of autobahn-js's session, for tests that need options and details. */
export interface AbSession {
  id: number;
  register(procedure: string, endpoint: (args: unknown[], kwargs: Kwargs, details: AbDetails) => unknown, options?: object): PromiseLike<unknown>;
  call(procedure: string, args?: unknown[], kwargs?: object, options?: object): PromiseLike<unknown>;
  subscribe(topic: string, handler: (args: unknown[], kwargs: Kwargs, details: AbDetails) => void, options?: object): PromiseLike<unknown>;
  publish(topic: string, args?: unknown[], kwargs?: object, options?: object): PromiseLike<unknown>;
}
export interface AbDetails {
  progress?: ((args: unknown[]) => void) | null;
  caller?: number;
  caller_authid?: string;
  caller_authrole?: string;
  publisher?: number;
  publisher_authid?: string;
  publisher_authrole?: string;
  procedure?: string;
  topic?: string;
  forward_for?: Array<{ session: number; authid: string; authrole: string }>;
}
/** when.js promises (autobahn-js's deferreds) take a progress handler as then's third argument. */
export interface ProgressThen {
  then(ok: (v: unknown) => unknown, err: ((e: unknown) => unknown) | undefined, progress: (p: unknown) => void): PromiseLike<unknown>;
}

interface AbConnection {
  onopen: (s: AbSession) => void;
  onclose: (reason: string, details: unknown) => boolean;
  open(): void;
  close(): void;
  readonly isOpen: boolean;
}

/** Raw autobahn-js sessions on any realm; `closeAll()` for afterAll. */
export class AbSessions {
  private readonly open: AbConnection[] = [];

  connect(url: string, realm: string, serializer: "json" | "msgpack" = "json"): Promise<AbSession> {
    const ser = serializer === "json" ? new autobahn.serializer.JSONSerializer() : new autobahn.serializer.MsgpackSerializer!();
    const connection = new autobahn.Connection({
      realm,
      transports: [{ type: "websocket", url, serializers: [ser] }],
      max_retries: 0,
      retry_if_unreachable: false,
      on_user_error: () => {},
    }) as unknown as AbConnection;
    this.open.push(connection);
    return withTimeout(new Promise<AbSession>((resolve, reject) => {
      connection.onopen = resolve;
      connection.onclose = (reason, details) => {
        reject(new Error(`autobahn closed before joining ${realm}: ${reason} ${JSON.stringify(details)}`));
        return true;
      };
      connection.open();
    }), 5000, `autobahn join ${realm}`);
  }

  closeAll(): void {
    for (const c of this.open.splice(0)) {
      try {
        if (c.isOpen) c.close();
      } catch {
        // already closing
      }
    }
  }
}

/** autobahn returns a lone positional result bare, and a Result for anything else. */
export function first(result: unknown): unknown {
  return result instanceof autobahn.Result ? (result as { args: unknown[] }).args[0] : result;
}

/** The error URI and args of a rejected autobahn-js or InteropClient call. */
export async function failure(p: PromiseLike<unknown>, ms = 10_000): Promise<{ error: string; args: unknown[] }> {
  try {
    await withTimeout(Promise.resolve(p), ms, "request");
  } catch (e) {
    const err = e as { error?: string; uri?: string; args?: unknown[]; message?: string };
    return { error: err.error ?? err.uri ?? `(no WAMP error) ${err.message}`, args: err.args ?? [] };
  }
  throw new Error("expected the request to fail");
}

/**
 * A wampy callee answering `{by: "wampy", args, caller, forward_for}` from the INVOCATION
 * details as received (wampy hands them over raw; autobahn-js's and python3-autobahn 22.7's
 * invocation details leave forward_for out). Resolves with the joined client's session id.
 */
export async function wampyIdentityCallee(url: string, realm: string, procedure: string, clients: Wampy[]): Promise<number> {
  const client = newWampy(url, "json", realm);
  clients.push(client);
  await withTimeout(client.connect(), 5000, "wampy connect");
  await client.register(procedure, ({ argsList, details }) => ({
    argsList: [{
      by: "wampy",
      args: argsList ?? [],
      caller: (details as Json | undefined)?.caller ?? null,
      forward_for: (details as Json | undefined)?.forward_for ?? null,
    }],
  }));
  return Number(client.getSessionId());
}

/** python3-autobahn peers (test/edge_e2e/py/edge_peer.py); `killAll()` for afterAll. */
export class PythonPeers {
  private readonly peers: PythonPeer[] = [];

  start(role: "call" | "publish" | "subscribe" | "callee", url: string, realm: string, uri: string, extra?: string): PythonPeer {
    const peer = startPythonScript(PY_PEER, [role, url, realm, uri, ...(extra === undefined ? [] : [extra])]);
    this.peers.push(peer);
    return peer;
  }

  killAll(): void {
    for (const p of this.peers.splice(0)) p.process.kill("SIGKILL");
  }
}

export type { RouterProcess, TcpProxy };
