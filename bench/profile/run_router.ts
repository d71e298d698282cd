/**
 * Starts the router (`bun mod.ts`, optionally under --cpu-prof) on free ports, runs
 * bench/profile/load.ts scenarios against it one after another, stops it and, when profiling,
 * prints the profile summary.
 *
 *   bun bench/profile/run_router.ts [--prof] [--bare] "<scenario> <ser> <seconds> [subs]" ...
 * e.g. bun bench/profile/run_router.ts --prof "rpc json 5" "fanout json 5 100"
 * --bare runs bench/bare_forwarder.ts (when it exists) instead of the router, for a same-run ratio.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** utime + stime of a process, in microseconds (Linux /proc). */
function routerCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // clock ticks (USER_HZ = 100)
}

const args = process.argv.slice(2);
const prof = args.includes("--prof");
const bare = args.includes("--bare");
const runs = args.filter((a) => !a.startsWith("--"));
const bun = join(import.meta.dir, "..", "..", "node_modules", ".bin", "bun");
const root = join(import.meta.dir, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "causeway-prof-"));
const port = 20000 + Math.floor(Math.random() * 10000);

const routerArgs = [...(prof ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : []), bare ? "bench/bare_forwarder.ts" : "mod.ts"];
if (bare) routerArgs.push("--ws-port", String(port), "--rawsocket-port", String(port + 1));
const child = spawn(bun, routerArgs, {
  cwd: root,
  env: {
    ...process.env,
    CAUSEWAY_LISTEN_WS: `127.0.0.1:${port}`,
    CAUSEWAY_LISTEN_RAWSOCKET: `127.0.0.1:${port + 1}`,
    CAUSEWAY_DATA_DIR: ":memory:",
    CAUSEWAY_LOG_LEVEL: "warn",
    NO_COLOR: "1",
  },
  stdio: ["ignore", "inherit", "inherit"],
});
// Wait for the port.
for (let i = 0; i < 100; i++) {
  try {
    // Any HTTP answer (the bare forwarder has no /ping) means the port is up.
    const r = await fetch(`http://127.0.0.1:${port}/ping`);
    await r.text();
    break;
  } catch {
    await Bun.sleep(100);
  }
}
for (const r of runs) {
  const [scenario, ser = "json", secs = "3", subs = "10"] = r.split(" ");
  const cpu0 = routerCpuUs(child.pid!);
  const p = Bun.spawn([bun, "bench/profile/load.ts", `ws://127.0.0.1:${port}/ws`, scenario, ser, secs, subs], {
    cwd: root,
    stdout: "pipe",
    stderr: "inherit",
  });
  const out = await new Response(p.stdout).text();
  await p.exited;
  const cpu = routerCpuUs(child.pid!) - cpu0;
  try {
    // Router CPU per operation is steadier than ops/s on a shared machine: it does not count
    // the time the router waited for a core.
    const r = JSON.parse(out.trim().split("\n").pop()!);
    console.log(JSON.stringify({ ...r, routerCpuUsPerOp: +(cpu / r.ops).toFixed(2) }));
  } catch {
    console.log(out);
  }
}
child.kill("SIGTERM");
await new Promise((r) => child.on("exit", r));
if (prof) {
  const f = readdirSync(dir).find((x) => x.endsWith(".cpuprofile"));
  if (!f) console.log("no profile written");
  else {
    console.log(`profile: ${join(dir, f)}`);
    const s = Bun.spawn([bun, "bench/profile/summarize.ts", join(dir, f), "35"], { cwd: root, stdout: "inherit" });
    await s.exited;
  }
}
