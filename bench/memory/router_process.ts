/**
 * Starts the real router (`bun mod.ts`, unchanged) in its own process for the memory benchmark,
 * with bench/memory/gc_probe.ts preloaded so the parent can ask for a heap measurement after a
 * full GC (SIGUSR2 → one "memprobe" line on stderr). Reads the JSON log lines for the bound
 * ports and "ready".
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface MemProbe {
  seq: number;
  rss: number;
  /** Live JS heap after a full GC (JSC heapSize), bytes. */
  heapSize: number;
  heapCapacity: number;
  extraMemorySize: number;
  objectCount: number;
  types: Record<string, number>;
}

export interface BenchRouter {
  pid: number;
  rawsocketPort: number;
  wsUrl: string;
  /** http://host:port of the WebSocket listener (serves /metrics too). */
  httpBase: string;
  /** Full GC inside the router, then its heap and RSS. */
  probe(): Promise<MemProbe>;
  /** Value of causeway_sessions summed over realms and transports, read from /metrics. */
  sessions(): Promise<number>;
  stop(): Promise<void>;
}

/** The benchmark's router config: realm1 open to anonymous clients, no session cap. */
export function benchConfig(): object {
  return {
    listeners: [
      { name: "ws", transport: "websocket", host: "127.0.0.1", port: 0, path: "/ws" },
      { name: "rawsocket", transport: "rawsocket", host: "127.0.0.1", port: 0 },
    ],
    realms: [{ name: "realm1", anonymous: true }],
    store: { dataDir: ":memory:" },
    // The default maxSessions (10000) would refuse the 10001st session.
    limits: { maxSessions: 0 },
    log: { level: "info", format: "json" },
  };
}

function bunBinary(): string {
  const local = join(REPO_ROOT, "node_modules", ".bin", "bun");
  return existsSync(local) ? local : "bun";
}

export interface StartOptions {
  config?: object;
  /**
   * What to run instead of the router: a script printing the same "listening"/"ready" lines,
   * e.g. "bench/memory/bare_idle_server.ts" (the memory floor). Default: the router, `mod.ts`.
   */
  script?: string;
  readyTimeoutMs?: number;
}

export async function startBenchRouter(opts: StartOptions = {}): Promise<BenchRouter> {
  const { config = benchConfig(), script = "mod.ts", readyTimeoutMs = 20_000 } = opts;
  const dir = mkdtempSync(join(tmpdir(), "causeway-bench-memory-"));
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify(config));
  const child: ChildProcess = spawn(bunBinary(), ["--preload", "./bench/memory/gc_probe.ts", script, "--config", file], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: "1", CAUSEWAY_DATA_DIR: ":memory:" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // A benchmark killed half-way must not leave a router holding thousands of sockets behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  exited.then(() => process.off("exit", killOnExit));
  exited.then(() => rmSync(dir, { recursive: true, force: true }));
  const listening: Record<string, { host: string; port: number; url?: string }> = {};
  const tail: string[] = [];
  let onProbe: ((p: MemProbe) => void) | undefined;

  const ready = new Promise<void>((resolve, reject) => {
    // Every session logs a line; keep only a short tail (for error messages), not all of them.
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (tail.push(line) > 20) tail.shift();
      if (!line.startsWith("{")) return;
      if (line.includes('"msg":"listening"')) {
        const e = JSON.parse(line);
        listening[e.listener] = e;
      } else if (line.includes('"msg":"ready"')) resolve();
    });
    createInterface({ input: child.stderr! }).on("line", (line) => {
      if (line.startsWith('{"memprobe"')) return onProbe?.(JSON.parse(line).memprobe);
      if (tail.push(`stderr: ${line}`) > 20) tail.shift();
    });
    exited.then((code) => reject(new Error(`${script} exited (${code}) before "ready":\n${tail.join("\n")}`)));
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), readyTimeoutMs);
  try {
    await ready;
  } finally {
    clearTimeout(timer);
  }
  const ws = listening.ws;
  const httpBase = `http://${ws.host}:${ws.port}`;
  return {
    pid: child.pid!,
    rawsocketPort: listening.rawsocket.port,
    wsUrl: ws.url ?? `ws://${ws.host}:${ws.port}/ws`,
    httpBase,
    probe: () =>
      new Promise<MemProbe>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error("router did not answer the memory probe within 30 s")), 30_000);
        onProbe = (p) => {
          clearTimeout(t);
          onProbe = undefined;
          resolve(p);
        };
        child.kill("SIGUSR2");
      }),
    sessions: async () => {
      const text = await (await fetch(`${httpBase}/metrics`)).text();
      let n = 0;
      for (const m of text.matchAll(/^causeway_sessions\{[^}]*\} (\d+)$/gm)) n += Number(m[1]);
      return n;
    },
    stop: async () => {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
