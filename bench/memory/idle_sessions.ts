/**
 * Memory per idle WAMP session.
 *
 *   bun bench/memory/idle_sessions.ts [--counts 10000,50000,100000] [--transports rawsocket,websocket]
 *                                     [--socket-max 19000] [--settle-ms 1000] [--no-floor] [--json-only]
 *
 * For each count:
 * - over real sockets (when count <= --socket-max): the router runs as `bun mod.ts` in its own
 *   process; clients in several child processes (socket_clients.ts) open `count` connections
 *   from source addresses 127.0.0.2…, each doing HELLO → WELCOME, then stay idle. The router's
 *   RSS and live heap (after a full GC, gc_probe.ts) are read before and after; their deltas
 *   divided by the sessions are the bytes per session. Then the clients leave and the heap is
 *   read once more (memory that does not come back would show there).
 * - the same over real sockets against bare_idle_server.ts (unless --no-floor): a Bun process
 *   that only holds the sockets — the runtime's floor, as the bare forwarder is for throughput.
 * - "session state without socket" (always): in_memory_sessions.ts in a fresh process.
 *
 * Why the two kinds: a process may hold at most its hard RLIMIT_NOFILE of fds (Bun raises the soft
 * limit to it by itself; the hard one needs CAP_SYS_RESOURCE, which this machine's root lacks —
 * 20000 here, see README.md), so a single router process cannot hold 50k or 100k sockets here.
 *
 * Prints the results as one JSON line, then a markdown table. bench/run.ts calls
 * `runIdleSessions(opts)` and formats `idleSessionsTable(results)` itself.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { formatBytes } from "./rss.ts";
import { grownTypes } from "./heap_types.ts";
import { type BenchRouter, type MemProbe, REPO_ROOT, startBenchRouter } from "./router_process.ts";
import type { ClientPlan } from "./socket_clients.ts";
import type { InMemoryResult } from "./in_memory_sessions.ts";

/** A transport over real sockets, several of them (a row not measured), or in-memory peers. */
export type IdleMode = "rawsocket" | "websocket" | "in-memory" | string;

export interface IdleSessionsOptions {
  counts?: number[];
  transports?: ("rawsocket" | "websocket")[];
  /** Largest count attempted over real sockets (default: the hard fd limit minus 1000, 19000 here). */
  socketMax?: number;
  /** Sessions per client process (default 5000; each process has the same fd limit). */
  perClientProcess?: number;
  /** Also measure the bare socket-holding server (the floor) for every socket row (default true). */
  floor?: boolean;
  /** Pause before each heap reading so handshakes, timers and log writes settle (default 1000 ms). */
  settleMs?: number;
  /** Progress lines go here (default: stderr). */
  log?: (line: string) => void;
}

export interface IdleSessionsResult {
  count: number;
  mode: IdleMode;
  /** "causeway" (`bun mod.ts` or its in-memory session state) or "bare" (bare_idle_server.ts). */
  server: "causeway" | "bare";
  /** "router process, real sockets", "bare Bun floor, real sockets" or "session state without socket". */
  label: string;
  established: number;
  /** Sessions the router itself reported (/metrics for sockets, sessionCount in memory). */
  routerSessions: number;
  rssBefore: number;
  rssAfter: number;
  heapBefore: number;
  heapAfter: number;
  rssPerSession: number;
  heapPerSession: number;
  /** Sockets: live heap after every client left (compare with heapBefore). */
  heapAfterClose?: number;
  /** JSC object types added per session (types that grew by at least 0.5 per session). */
  objectsPerSession?: Record<string, number>;
  seconds: number;
  /** Set when this count/mode was not measured, saying why. */
  skipped?: string;
  errors?: string[];
}

const DEFAULTS = {
  counts: [10_000, 50_000, 100_000],
  transports: ["rawsocket", "websocket"] as ("rawsocket" | "websocket")[],
  socketMax: fdHardLimit() - 1000,
  perClientProcess: 5000,
  settleMs: 1000,
  floor: true,
};

/** This process's hard limit on open files (children inherit it); 20000 when it cannot be read. */
export function fdHardLimit(): number {
  try {
    const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max open files"));
    const hard = Number(line?.trim().split(/\s+/)[4]);
    return Number.isInteger(hard) && hard > 0 ? hard : 20_000;
  } catch {
    return 20_000;
  }
}

/** The k-th client source address: 127.0.0.2 … 127.0.0.251, then 127.0.1.2 … (all of 127/8 is loopback). */
export function loopback(k: number): string {
  return `127.0.${Math.floor(k / 250)}.${2 + (k % 250)}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bun = () => process.execPath;

export async function runIdleSessions(opts: IdleSessionsOptions = {}): Promise<IdleSessionsResult[]> {
  const o = { ...DEFAULTS, log: (l: string) => process.stderr.write(`${l}\n`), ...opts };
  const results: IdleSessionsResult[] = [];
  for (const count of o.counts) {
    if (count > o.socketMax && o.transports.length) {
      results.push(skipped(count, o.transports.join(", "), `more than ${o.socketMax} sockets: a process may hold at most ${fdHardLimit()} fds here (hard limit, see bench/memory/README.md)`));
    }
    for (const transport of count > o.socketMax ? [] : o.transports) {
      o.log(`idle sessions: ${count} over ${transport} …`);
      results.push(await socketSessions("causeway", count, transport, o.perClientProcess, o.settleMs, o.log));
      if (o.floor) {
        o.log(`idle sessions: ${count} over ${transport}, bare floor …`);
        results.push(await socketSessions("bare", count, transport, o.perClientProcess, o.settleMs, o.log));
      }
    }
    o.log(`idle sessions: ${count} in memory …`);
    results.push(await inMemorySessions(count));
  }
  return results;
}

function skipped(count: number, mode: IdleMode, why: string): IdleSessionsResult {
  return {
    count, mode, server: "causeway", label: "router process, real sockets", established: 0, routerSessions: 0, rssBefore: 0, rssAfter: 0,
    heapBefore: 0, heapAfter: 0, rssPerSession: 0, heapPerSession: 0, seconds: 0, skipped: why,
  };
}

async function inMemorySessions(count: number): Promise<IdleSessionsResult> {
  const out = await runChild([join(REPO_ROOT, "bench/memory/in_memory_sessions.ts"), String(count)]);
  const r = JSON.parse(out.trim().split("\n").pop()!) as InMemoryResult;
  return {
    count, mode: "in-memory", server: "causeway", label: "session state without socket", established: r.established, routerSessions: r.established,
    rssBefore: r.pairs.rss, rssAfter: r.joined.rss, heapBefore: r.pairs.heapSize, heapAfter: r.joined.heapSize,
    rssPerSession: (r.joined.rss - r.pairs.rss) / count, heapPerSession: (r.joined.heapSize - r.pairs.heapSize) / count,
    objectsPerSession: r.perSessionObjects, seconds: r.seconds,
  };
}


function runChild(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bun(), args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(" ")} exited ${code}: ${err.slice(-2000)}`))));
  });
}

interface ClientChild {
  child: ChildProcess;
  done: Promise<{ established: number; failed: number; errors: string[] }>;
}

function startClients(plan: ClientPlan): ClientChild {
  const child = spawn(bun(), [join(REPO_ROOT, "bench/memory/socket_clients.ts"), JSON.stringify(plan)], {
    cwd: REPO_ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d) => (err = (err + d).slice(-2000)));
  const done = new Promise<{ established: number; failed: number; errors: string[] }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith('{"done"')) resolve(JSON.parse(line).done);
    });
    child.on("exit", (code) => reject(new Error(`client process exited (${code}) before it was done: ${err}`)));
  });
  return { child, done };
}

async function settledProbe(router: BenchRouter, settleMs: number): Promise<MemProbe> {
  // Timers, log writes and the last handshakes settle first; the probe then runs a full GC.
  await sleep(settleMs);
  return await router.probe();
}

async function socketSessions(
  server: "causeway" | "bare",
  count: number,
  transport: "rawsocket" | "websocket",
  perProcess: number,
  settleMs: number,
  log: (l: string) => void,
): Promise<IdleSessionsResult> {
  const started = performance.now();
  const router = await startBenchRouter(server === "bare" ? { script: "bench/memory/bare_idle_server.ts" } : {});
  const clients: ClientChild[] = [];
  try {
    const before = await settledProbe(router, settleMs);
    const processes = Math.max(2, Math.ceil(count / perProcess));
    let assigned = 0;
    for (let i = 0; i < processes; i++) {
      const n = Math.floor((count * (i + 1)) / processes) - assigned;
      assigned += n;
      clients.push(startClients({
        transport, host: "127.0.0.1", port: router.rawsocketPort, url: router.wsUrl, realm: "realm1", count: n,
        // Two loopback source addresses per client process: 127.0.0.2, .3, .4 …
        localAddresses: [loopback(2 * i), loopback(2 * i + 1)],
      }));
    }
    const done = await Promise.all(clients.map((c) => c.done));
    const established = done.reduce((s, d) => s + d.established, 0);
    const errors = done.flatMap((d) => d.errors).slice(0, 5);
    log(`  ${established}/${count} established (${processes} client processes)${errors.length ? `; errors: ${errors.join("; ")}` : ""}`);
    const after = await settledProbe(router, settleMs);
    const routerSessions = await router.sessions();
    for (const c of clients) c.child.stdin!.end();
    // Wait until the router has seen every client leave, then read the heap once more.
    for (let i = 0; i < 100 && (await router.sessions()) > 0; i++) await sleep(100);
    const closed = await settledProbe(router, settleMs);
    return {
      count, mode: transport, server, label: server === "bare" ? "bare Bun floor, real sockets" : "router process, real sockets",
      established, routerSessions,
      rssBefore: before.rss, rssAfter: after.rss, heapBefore: before.heapSize, heapAfter: after.heapSize,
      rssPerSession: (after.rss - before.rss) / Math.max(1, established),
      heapPerSession: (after.heapSize - before.heapSize) / Math.max(1, established),
      heapAfterClose: closed.heapSize, objectsPerSession: grownTypes(before.types, after.types, established), seconds: (performance.now() - started) / 1000,
      ...(errors.length ? { errors } : {}),
    };
  } finally {
    for (const c of clients) c.child.kill("SIGKILL");
    await router.stop();
  }
}

/** The results as a markdown table (one row per count and mode). */
export function idleSessionsTable(results: IdleSessionsResult[]): string {
  const rows = [
    "| sessions | what | established | RSS before → after | RSS / session | live heap before → after | heap / session |",
    "| ---: | --- | ---: | --- | ---: | --- | ---: |",
  ];
  for (const r of results) {
    const mode = r.mode === "in-memory"
      ? "Causeway, in-memory peers (session state without socket)"
      : r.server === "bare" ? `bare Bun floor, ${r.mode}` : `Causeway, ${r.mode} (real sockets)`;
    if (r.skipped) {
      rows.push(`| ${r.count} | ${mode} | — | not measured: ${r.skipped} | | | |`);
      continue;
    }
    rows.push(
      `| ${r.count} | ${mode} | ${r.established} | ${formatBytes(r.rssBefore)} → ${formatBytes(r.rssAfter)} | ${Math.round(r.rssPerSession)} B ` +
        `| ${formatBytes(r.heapBefore)} → ${formatBytes(r.heapAfter)} | ${Math.round(r.heapPerSession)} B |`,
    );
  }
  return rows.join("\n");
}

function parseArgs(argv: string[]): IdleSessionsOptions & { jsonOnly: boolean } {
  const opts: IdleSessionsOptions & { jsonOnly: boolean } = { jsonOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const counts = (v: string, name: string) =>
      v.split(",").map((s) => {
        const n = Number(s);
        if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: "${s}" is not a positive integer`);
        return n;
      });
    if (a === "--counts") opts.counts = counts(value(), a);
    else if (a === "--socket-max") opts.socketMax = counts(value(), a)[0];
    else if (a === "--settle-ms") opts.settleMs = counts(value(), a)[0];
    else if (a === "--transports") {
      const ts = value().split(",");
      for (const t of ts) if (t !== "rawsocket" && t !== "websocket") throw new Error(`--transports: "${t}" is not rawsocket or websocket`);
      opts.transports = ts as ("rawsocket" | "websocket")[];
    } else if (a === "--json-only") opts.jsonOnly = true;
    else if (a === "--no-floor") opts.floor = false;
    else throw new Error(`unknown argument "${a}" (use --counts, --transports, --socket-max, --settle-ms, --no-floor, --json-only)`);
  }
  return opts;
}

if (import.meta.main) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`idle_sessions: ${(err as Error).message}`);
    process.exit(2);
  }
  const results = await runIdleSessions(opts);
  console.log(JSON.stringify(results));
  if (!opts.jsonOnly) console.log(`\n${idleSessionsTable(results)}`);
  process.exit(0);
}
