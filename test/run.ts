// The whole test run (`npm test` = `bun test/run.ts`): Bun's suite over test/, then the
// runtime-portable subset under `deno test` through the bun:test shim. Both runners' output
// streams through; the last line is the one CI reads: `tests: N passed, M failed`.
//
// Deno subset (DENO_PATHS): the unit tests (test/_shim, util, wamp, store, auth, rbac, router,
// transport, cli, config, edge) and test/architecture.test.ts — in-memory code that must behave the
// same on both runtimes — plus test/integration (in-process servers: under Deno they run on the
// Deno runtime adapter, so the transport matrix covers Deno.serve too), test/_harness and
// test/interop/deno_router.test.ts, which drive router processes and real clients from inside
// Deno (the harness is node:child_process based).
// Left to Bun: test/runtime (Bun adapter tests) and the other interop files, whose processes and
// clients do not depend on the test runner — running them twice would only double the time.
//
// Deno type-checks what it runs. A type error fails the whole `deno test` before any test runs,
// so the run is repeated with --no-check to still get the test results, and the type error
// counts as one failure.
//
// Usage: bun test/run.ts [--bun-only | --deno-only]
// Exits non-zero when a test failed, a runner crashed or printed no summary, or either ran zero
// tests; the whole run is bounded (RUN_TIMEOUT_MS, default 15 minutes).
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DENO_PATHS = [
  "test/_shim",
  "test/util",
  "test/wamp",
  "test/store",
  "test/auth",
  "test/rbac",
  "test/admin",
  "test/router",
  "test/transport",
  "test/cli.test.ts",
  "test/config.test.ts",
  "test/architecture.test.ts",
  "test/build/version.test.ts",
  "test/integration",
  "test/gateway",
  "test/edge",
  "test/_harness",
  "test/interop/deno_router.test.ts",
];
const TIMEOUT_MS = Number(process.env.RUN_TIMEOUT_MS ?? 15 * 60_000);
const deadline = Date.now() + TIMEOUT_MS;

interface RunnerResult {
  runner: string;
  passed: number;
  failed: number;
  /** Why the run cannot be trusted (crash, no summary, zero tests, timeout), if it cannot. */
  problem?: string;
}

// deno-lint-ignore no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");

function hasTests(path: string): boolean {
  const full = join(ROOT, path);
  if (!existsSync(full)) return false;
  if (statSync(full).isFile()) return true;
  return readdirSync(full, { recursive: true }).some((f) => /\.test\.ts$/.test(String(f)));
}

/** Spawns a runner in its own process group, streams its output, returns it with the exit code. */
function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    console.log(`\n$ ${[relative(ROOT, cmd) || cmd, ...args].join(" ")}`);
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      output += chunk.toString();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`\ntest/run.ts: ${cmd} still running after the ${TIMEOUT_MS / 1000} s limit; killing it`);
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, Math.max(0, deadline - Date.now()));
    child.on("error", (err) => {
      output += `\nspawn error: ${err.message}`;
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

function last(re: RegExp, text: string): RegExpMatchArray | undefined {
  return [...text.matchAll(re)].at(-1);
}

// --timeout: Bun 1.4.5 applies the preload's setDefaultTimeout (test/_setup.ts) to the first test
// file of a run only; every later file would get Bun's 5 s default.
async function runBun(): Promise<RunnerResult> {
  const { code, output, timedOut } = await run(process.execPath, ["test", "--timeout", "20000", "./test"], {});
  const text = stripAnsi(output);
  const pass = last(/^\s*(\d+) pass$/gm, text);
  const fail = last(/^\s*(\d+) fail$/gm, text);
  const result: RunnerResult = { runner: "bun", passed: Number(pass?.[1] ?? 0), failed: Number(fail?.[1] ?? 0) };
  if (timedOut) result.problem = "timed out";
  else if (!pass || !fail) result.problem = `no summary (exit code ${code})`;
  else if (result.passed + result.failed === 0) result.problem = "ran zero tests";
  else if (code !== 0 && result.failed === 0) result.problem = `exit code ${code} with no failed test`;
  return result;
}

function denoBinary(): string {
  const local = join(ROOT, "node_modules", ".bin", "deno");
  return existsSync(local) ? local : "deno";
}

async function runDeno(): Promise<RunnerResult> {
  const paths = DENO_PATHS.filter(hasTests);
  const args = ["test", "-A", "--config", "deno.json", ...paths];
  let { code, output, timedOut } = await run(denoBinary(), args, { NO_COLOR: "1" });
  const typeCheckFailed = !timedOut && /error: Type checking failed/.test(output);
  if (typeCheckFailed) {
    console.log("\ntest/run.ts: Deno's type check failed (counted as one failure); running the tests with --no-check");
    ({ code, output, timedOut } = await run(denoBinary(), [...args, "--no-check"], { NO_COLOR: "1" }));
  }
  const summary = last(/^(ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/gm, stripAnsi(output));
  const result: RunnerResult = { runner: "deno", passed: Number(summary?.[2] ?? 0), failed: Number(summary?.[3] ?? 0) };
  if (timedOut) result.problem = "timed out";
  else if (!summary) result.problem = `no summary (exit code ${code})`;
  else if (result.passed + result.failed === 0) result.problem = "ran zero tests";
  else if (code !== 0 && result.failed === 0) result.problem = `exit code ${code} with no failed test`;
  if (typeCheckFailed) {
    result.failed += 1;
    result.problem = ["type check failed", result.problem].filter(Boolean).join("; ");
  }
  return result;
}

const only = process.argv[2];
const results: RunnerResult[] = [];
if (only !== "--deno-only") results.push(await runBun());
if (only !== "--bun-only") results.push(await runDeno());

let passed = 0;
let failed = 0;
let ok = true;
console.log("");
for (const r of results) {
  // A runner that crashed, timed out or ran nothing counts as one failure, so the last line
  // never reads "0 failed" for a run that exits non-zero.
  const extra = r.problem && r.failed === 0 ? 1 : 0; // (a type-check failure is already in r.failed)
  passed += r.passed;
  failed += r.failed + extra;
  console.log(`  ${r.runner}: ${r.passed} pass, ${r.failed} fail${r.problem ? ` (PROBLEM: ${r.problem}; counted as a failure)` : ""}`);
  if (r.problem || r.failed > 0) ok = false;
}
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
