// The compiled binaries (build.ts) as a user gets them: built for linux-x64 and linux-arm64,
// copied alone into an empty directory (no node_modules, no sources), started there as their own
// process on port-0 listeners, and driven by autobahn-js over WebSocket and RawSocket. The arm64
// binary runs under qemu-aarch64-static (apt: qemu-user-static, libc6-arm64-cross); without qemu
// its tests are skipped with a note. A stray .env and bunfig.toml beside the binary must not
// change anything (build.ts turns their autoloading off). Bun-only: it needs `bun build`.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../_harness/router_process.ts";
import { connectAutobahn } from "../interop/_autobahn.ts";
import { type InteropClient, withTimeout } from "../interop/_client.ts";

const BUN = existsSync(join(REPO_ROOT, "node_modules", ".bin", "bun")) ? join(REPO_ROOT, "node_modules", ".bin", "bun") : "bun";
const QEMU = ["/usr/bin/qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu"];
const hasQemu = existsSync(QEMU[0]) && existsSync("/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1");

let buildOutput = "";
beforeAll(() => {
  // Only the two targets these tests run; --fetch packs @oven/bun-linux-aarch64 into
  // .cache/bun-targets/ when it is not there yet.
  const targets = hasQemu ? ["--target", "linux-x64", "--target", "linux-arm64"] : ["--target", "linux-x64"];
  const r = spawnSync(BUN, ["build.ts", "--fetch", ...targets], { cwd: REPO_ROOT, encoding: "utf8" });
  buildOutput = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`bun build.ts failed:\n${buildOutput}`);
}, 300_000);

interface Started {
  proc: ChildProcess;
  dir: string;
  logs: string[];
  wsUrl: string;
  rawsocketPort: number;
  /** Milliseconds from spawn to the "ready" log line. */
  coldStartMs: number;
  stop(): Promise<number | null>;
}

/** Copies the binary into a fresh empty directory (plus `extraFiles`) and starts it there. */
async function startBinary(target: string, readyTimeoutMs: number, extraFiles: Record<string, string> = {}): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), `causeway-bin-${target}-`));
  const exe = join(dir, "causeway");
  copyFileSync(join(REPO_ROOT, "dist", `causeway-${target}`), exe);
  spawnSync("chmod", ["+x", exe]);
  for (const [name, text] of Object.entries(extraFiles)) writeFileSync(join(dir, name), text);
  mkdirSync(join(dir, "data"));
  const [cmd, ...args] = target.includes("arm64") ? [...QEMU, exe] : [exe];
  const t0 = performance.now();
  const proc = spawn(cmd, args, {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      NO_COLOR: "1",
      CAUSEWAY_LISTEN_WS: "127.0.0.1:0",
      CAUSEWAY_LISTEN_RAWSOCKET: "127.0.0.1:0",
      CAUSEWAY_DATA_DIR: join(dir, "data"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const listening: Record<string, { port: number; url?: string }> = {};
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const ready = new Promise<number>((resolve, reject) => {
    let buf = "";
    proc.stdout!.on("data", (chunk: Buffer) => {
      buf += chunk.toString();
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        logs.push(line);
        let entry: { msg?: string; listener?: string; port?: number; url?: string } | undefined;
        try {
          entry = JSON.parse(line);
        } catch { /* not a log line */ }
        if (entry?.msg === "listening" && entry.listener) listening[entry.listener] = { port: entry.port!, url: entry.url };
        if (entry?.msg === "ready") resolve(performance.now() - t0);
      }
    });
    proc.stderr!.on("data", (chunk: Buffer) => logs.push(`stderr: ${chunk.toString()}`));
    exited.then((code) => reject(new Error(`binary exited with ${code} before "ready":\n${logs.join("\n")}`)));
  });
  const stop = async () => {
    if (proc.exitCode === null) proc.kill("SIGTERM");
    const code = await exited;
    rmSync(dir, { recursive: true, force: true });
    return code;
  };
  let coldStartMs: number;
  try {
    coldStartMs = await withTimeout(ready, readyTimeoutMs, `${target} binary "ready"`);
  } catch (err) {
    proc.kill("SIGKILL");
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\n${logs.join("\n")}`);
  }
  const ws = listening.ws;
  return {
    proc, dir, logs, coldStartMs, stop,
    wsUrl: ws?.url ?? `ws://127.0.0.1:${ws?.port}/ws`,
    rawsocketPort: listening.rawsocket?.port ?? 0,
  };
}

/** RPC and pub/sub between two sessions of the given connect function. */
async function smoke(connect: () => Promise<InteropClient>, tag: string, ms: number): Promise<void> {
  const callee = await withTimeout(connect(), ms, `${tag} connect`);
  const caller = await withTimeout(connect(), ms, `${tag} connect`);
  try {
    await callee.register(`com.example.${tag}.add`, ({ args }) => ({ args: [(args[0] as number) + (args[1] as number)], kwargs: {} }));
    const result = await withTimeout(caller.call(`com.example.${tag}.add`, [2, 3]), ms, `${tag} call`);
    expect(result.args).toEqual([5]);

    const event = new Promise<unknown[]>((resolve) => {
      void callee.subscribe(`com.example.${tag}.topic`, (e) => resolve(e.args));
    });
    await new Promise((r) => setTimeout(r, 10));
    // acknowledge: the subscription is in place before the event is expected.
    await withTimeout(caller.publish(`com.example.${tag}.topic`, ["hello"], {}, { acknowledge: true }), ms, `${tag} publish`);
    expect(await withTimeout(event, ms, `${tag} event`)).toEqual(["hello"]);
  } finally {
    await Promise.allSettled([callee.close(), caller.close()]);
  }
}

function headCommit(): string {
  return spawnSync("git", ["rev-parse", "--short=7", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).stdout.trim();
}

// A stray .env / bunfig.toml that would silence the "ready" line (log level error) and preload a
// script that exits at once, if the binary loaded them.
const STRAY = {
  ".env": "CAUSEWAY_LOG_LEVEL=error\nCAUSEWAY_LISTEN_WS=127.0.0.1:1\n",
  "bunfig.toml": 'preload = ["./stray_preload.js"]\n',
  "stray_preload.js": 'console.log("stray preload ran"); process.exit(7);\n',
};

const TARGETS = [
  { target: "linux-x64", readyTimeoutMs: 15_000, opTimeoutMs: 5_000, run: true },
  { target: "linux-arm64", readyTimeoutMs: 120_000, opTimeoutMs: 30_000, run: hasQemu },
];

for (const { target, readyTimeoutMs, opTimeoutMs, run } of TARGETS) {
  describe.skipIf(!run)(`dist/causeway-${target}${target.includes("arm64") ? " under qemu" : ""}`, () => {
    let bin: Started;
    beforeAll(async () => {
      bin = await startBinary(target, readyTimeoutMs, STRAY);
      const size = statSync(join(REPO_ROOT, "dist", `causeway-${target}`)).size;
      console.log(`[build] ${target}: ${(size / 1e6).toFixed(1)} MB, cold start ${bin.coldStartMs.toFixed(0)} ms (spawn → "ready")`);
    }, readyTimeoutMs + 10_000);
    afterAll(async () => {
      if (bin) expect(await bin.stop()).toBe(0);
    }, 30_000);

    test("the stray .env and bunfig.toml beside it are ignored", () => {
      expect(bin.logs.join("\n")).not.toContain("stray preload ran");
      expect(bin.logs.some((l) => l.includes('"ready"'))).toBe(true); // the .env's log level would hide it
      expect(bin.wsUrl).not.toContain(":1/");
    });

    test("RPC and pub/sub over WebSocket (autobahn-js, JSON)", async () => {
      await smoke(() => connectAutobahn({ type: "websocket", url: bin.wsUrl, serializer: "json" }), `${target.replace(/-/g, "_")}_ws`, opTimeoutMs);
    }, opTimeoutMs * 6);

    test("RPC and pub/sub over RawSocket (autobahn-js)", async () => {
      expect(bin.rawsocketPort).toBeGreaterThan(0);
      await smoke(() => connectAutobahn({ type: "rawsocket", host: "127.0.0.1", port: bin.rawsocketPort }), `${target.replace(/-/g, "_")}_raw`, opTimeoutMs);
    }, opTimeoutMs * 6);

    test("--version names the commit it was built from", () => {
      const [cmd, ...args] = target.includes("arm64") ? [...QEMU, join(REPO_ROOT, "dist", `causeway-${target}`)] : [join(REPO_ROOT, "dist", `causeway-${target}`)];
      const r = spawnSync(cmd, [...args, "--version"], { cwd: bin.dir, encoding: "utf8", timeout: readyTimeoutMs });
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toMatch(new RegExp(`^causeway \\d+\\.\\d+\\.\\d+ \\(${headCommit()}(-dirty)?, bun \\d+\\.\\d+\\.\\d+\\)$`));
    }, readyTimeoutMs);
  });
}

test("build.ts names the missing Bun executable and how to get it", () => {
  const cache = mkdtempSync(join(tmpdir(), "causeway-build-cache-"));
  try {
    const r = spawnSync(BUN, [join(REPO_ROOT, "build.ts"), "--target", "linux-arm64-musl"], { cwd: cache, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("@oven/bun-linux-aarch64-musl@");
    expect(r.stderr).toContain("npm pack");
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});
