// Starts the real router (`bun mod.ts` or `deno run -A mod.ts`) as a child process on port 0
// listeners and reads its JSON log lines until "ready". Built on node:child_process so the same
// harness runs under `bun test` and `deno test`.
import { type ChildProcess, spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface RouterProcessOptions {
  runtime?: "bun" | "deno";
  /** Written to a temp file and passed as `--config FILE`. */
  config?: object;
  /** Extra environment; overrides the port-0 listener defaults. */
  env?: Record<string, string>;
  /** How long to wait for the "ready" line (default 15 s). */
  readyTimeoutMs?: number;
}

export interface RouterProcess {
  /** ws://127.0.0.1:PORT/ws of the listener named "ws" (or the first websocket listener). */
  wsUrl: string;
  /** Port of the listener named "rawsocket" (or the first rawsocket listener); 0 when none. */
  rawsocketPort: number;
  host: string;
  /** Every "listening" log line, by listener name. */
  listeners: Record<string, ListeningLine>;
  /** stdout and stderr lines so far (stderr lines prefixed with "stderr: "). */
  logs: string[];
  process: ChildProcess;
  /** True while the process has not exited. */
  running(): boolean;
  /** SIGTERM, wait for exit (SIGKILL after 5 s); resolves with the exit code (or 128+signal). */
  stop(): Promise<number>;
}

export interface ListeningLine {
  msg: "listening";
  listener: string;
  transport: string;
  host: string;
  port: number;
  url?: string;
}

function binary(runtime: "bun" | "deno"): string {
  const local = join(REPO_ROOT, "node_modules", ".bin", runtime);
  return existsSync(local) ? local : runtime;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

export async function startRouterProcess(opts: RouterProcessOptions = {}): Promise<RouterProcess> {
  const runtime = opts.runtime ?? "bun";
  const args = runtime === "bun" ? ["mod.ts"] : ["run", "-A", "mod.ts"];
  let tempDir: string | undefined;
  if (opts.config) {
    tempDir = mkdtempSync(join(tmpdir(), "causeway-test-"));
    const file = join(tempDir, "config.json");
    writeFileSync(file, JSON.stringify(opts.config, null, 2));
    args.push("--config", file);
  }
  const child = spawn(binary(runtime), args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NO_COLOR: "1",
      CAUSEWAY_LISTEN_WS: "127.0.0.1:0",
      CAUSEWAY_LISTEN_RAWSOCKET: "127.0.0.1:0",
      // Each router process gets a store of its own (a store admits one process at a time);
      // persistence tests pass their own CAUSEWAY_DATA_DIR.
      CAUSEWAY_DATA_DIR: ":memory:",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });

  const logs: string[] = [];
  const listeners: Record<string, ListeningLine> = {};
  let exitCode: number | undefined;
  const exited = new Promise<number>((resolve) => {
    child.on("exit", (code, signal) => {
      exitCode = code ?? 128 + (SIGNALS[signal ?? ""] ?? 0);
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
      resolve(exitCode);
    });
  });
  let onLine: ((line: string) => void) | undefined;
  splitLines(child.stdout!, (line) => {
    logs.push(line);
    onLine?.(line);
  });
  splitLines(child.stderr!, (line) => logs.push(`stderr: ${line}`));

  const ready = new Promise<void>((resolve, reject) => {
    onLine = (line) => {
      const entry = parseJson(line);
      if (entry?.msg === "listening" && typeof entry.listener === "string") {
        listeners[entry.listener] = entry as unknown as ListeningLine;
      } else if (entry?.msg === "ready") {
        resolve();
      }
    };
    child.on("error", reject);
    exited.then((code) => reject(new Error(`router exited with code ${code} before "ready"`)));
  });
  const readyTimeoutMs = opts.readyTimeoutMs ?? 15_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`router not ready after ${readyTimeoutMs} ms`)), readyTimeoutMs);
  });

  const stop = async (): Promise<number> => {
    if (exitCode !== undefined) return exitCode;
    // process.kill, not child.kill: after child.kill("SIGTERM") Deno 2.9.5's node:child_process
    // reports (null, "SIGTERM") even when the child handled the signal and exited 0.
    signal(child, "SIGTERM");
    const killer = setTimeout(() => signal(child, "SIGKILL"), 5_000);
    try {
      return await exited;
    } finally {
      clearTimeout(killer);
    }
  };

  try {
    await Promise.race([ready, timeout]);
  } catch (err) {
    await stop();
    const cmd = `${runtime} ${args.join(" ")}`;
    throw new Error(`${(err as Error).message} (${cmd}); output:\n${logs.join("\n")}`);
  } finally {
    clearTimeout(timer);
  }

  const all = Object.values(listeners);
  const ws = listeners.ws ?? all.find((l) => l.transport === "websocket");
  const raw = listeners.rawsocket ?? all.find((l) => l.transport === "rawsocket");
  const first = ws ?? raw ?? all[0];
  return {
    wsUrl: ws ? (ws.url ?? `ws://${ws.host}:${ws.port}/ws`) : "",
    rawsocketPort: raw?.port ?? 0,
    host: first?.host ?? "127.0.0.1",
    listeners,
    logs,
    process: child,
    running: () => exitCode === undefined,
    stop,
  };
}

function signal(child: ChildProcess, sig: "SIGTERM" | "SIGKILL"): void {
  try {
    if (child.pid !== undefined) process.kill(child.pid, sig);
  } catch {
    // already gone
  }
}

function parseJson(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function splitLines(stream: Readable, onLine: (line: string) => void): void {
  let buffered = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffered += chunk;
    let i: number;
    while ((i = buffered.indexOf("\n")) >= 0) {
      onLine(buffered.slice(0, i).replace(/\r$/, ""));
      buffered = buffered.slice(i + 1);
    }
  });
  stream.on("end", () => {
    if (buffered) onLine(buffered);
    buffered = "";
  });
}
