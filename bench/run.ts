/**
 * The whole benchmark in one command: starts Causeway (`bun mod.ts`, bench config) and the bare
 * forwarder as separate processes, runs every scenario against both (interleaved, so background
 * load hits both alike), repeats the core RPC and fan-out scenarios over the serializer x
 * transport matrix, measures idle-session memory (bench/memory), prints a table and writes
 * bench/RESULTS.md.
 *
 *   bun bench/run.ts [--seconds 3] [--rounds 1] [--nice N] [--only rpc-1-caller,fanout-10,matrix,memory]
 *                    [--no-matrix] [--no-memory] [--memory-counts 10000,50000,100000] [--out FILE]
 *
 * --rounds N runs each scenario N times against each target (alternating) and keeps each
 * target's best round: on a shared machine the least disturbed round is the closest to the
 * truth. --nice N runs this process and everything it starts at that scheduling priority
 * (negative needs root): on a shared machine, other processes then take less CPU from the
 * measurement (RESULTS.md says so and shows their CPU per run). With --only the results are printed but RESULTS.md is left alone unless --out is given.
 */
import { execSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { consoleLine, resultsTable, summary, targetsTable, type Pair } from "./driver/report.ts";
import { startBareForwarder, startCauseway, type RunningTarget } from "./driver/targets.ts";
import { peakRssDuring } from "./memory/rss.ts";
import { MATRIX, MATRIX_SCENARIOS, SCENARIOS, scenarioByName } from "./scenarios/catalog.ts";
import type { Measurement, RunOptions, Scenario } from "./scenarios/scenario.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WARMUP = ["rpc-1-caller", "fanout-10"];

interface Args {
  seconds: number;
  rounds: number;
  /** Scheduling priority (nice value) for this process and everything it starts; undefined = unchanged. */
  nice?: number;
  only?: string[];
  matrix: boolean;
  memory: boolean;
  memoryCounts: number[];
  out?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { seconds: 3, rounds: 1, matrix: true, memory: true, memoryCounts: [10_000, 50_000, 100_000] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === "--seconds") {
      a.seconds = Number(value());
      if (!(a.seconds > 0)) throw new Error(`--seconds: "${argv[i]}" is not a positive number`);
    } else if (flag === "--rounds") {
      a.rounds = Number(value());
      if (!Number.isInteger(a.rounds) || a.rounds < 1) throw new Error(`--rounds: "${argv[i]}" is not a positive integer`);
    } else if (flag === "--nice") {
      a.nice = Number(value());
      if (!Number.isInteger(a.nice) || a.nice < -20 || a.nice > 19) throw new Error(`--nice: "${argv[i]}" is not an integer from -20 to 19`);
    } else if (flag === "--only") a.only = value().split(",");
    else if (flag === "--no-matrix") a.matrix = false;
    else if (flag === "--no-memory") a.memory = false;
    else if (flag === "--memory-counts") a.memoryCounts = value().split(",").map(Number);
    else if (flag === "--out") a.out = value();
    else throw new Error(`unknown option "${flag}" (see the usage at the top of bench/run.ts)`);
  }
  for (const name of a.only ?? []) {
    if (name !== "matrix" && name !== "memory" && !scenarioByName(name)) {
      throw new Error(`--only: no scenario "${name}"; scenarios: ${SCENARIOS.map((s) => s.name).join(", ")}, matrix, memory`);
    }
  }
  return a;
}

const sh = (cmd: string) => {
  try {
    return execSync(cmd, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
};

function machine(): string[] {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? os.cpus()[0]?.model ?? "?";
  const dirty = sh("git status --porcelain -- src mod.ts bench ':!bench/RESULTS.md'").split("\n").filter(Boolean).length;
  return [
    `- CPU: ${cpu}, ${os.cpus().length} cores; ${Math.round(os.totalmem() / 1024 ** 3)} GiB RAM`,
    `- kernel: ${os.type()} ${os.release()}; Bun ${Bun.version}`,
    `- commit: ${sh("git rev-parse --short HEAD") || "?"}${dirty ? ` (plus ${dirty} uncommitted file(s) under src/, mod.ts or bench/ in the working tree, RESULTS.md aside)` : ""}`,
    `- date: ${new Date().toISOString()}`,
  ];
}

/** Whether run `a` is better than run `b` (by the first metric); a run with problems always wins, so it shows. */
function better(a: Measurement[], b: Measurement[]): boolean {
  const bad = (ms: Measurement[]) => ms.some((m) => m.errors || m.lost);
  if (bad(a) !== bad(b)) return bad(a);
  const [x, y] = [a[0], b[0]];
  return x.higherIsBetter ? x.value > y.value : x.value < y.value;
}

/** Runs a scenario `rounds` times against each target, alternating targets, keeping each target's best round. */
async function measure(scenario: Scenario, targets: RunningTarget[], opts: RunOptions, rounds: number): Promise<Pair[]> {
  const cell = `${opts.transport} / ${opts.serializer}`;
  const failures: string[] = [];
  const best = new Map<string, Measurement[]>();
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      try {
        const { value, peakBytes } = await peakRssDuring(target.pid, () => scenario.run(target, opts));
        for (const m of value) m.targetPeakRss = peakBytes;
        const prev = best.get(target.name);
        if (!prev || better(value, prev)) best.set(target.name, value);
      } catch (err) {
        failures.push(`${target.name}: ${(err as Error).message.split("\n")[0]}`);
      }
    }
  }
  const pairs = new Map<string, Pair>();
  for (const [name, ms] of best) {
    for (const m of ms) {
      if (!pairs.has(m.metric)) pairs.set(m.metric, { scenario: scenario.name, title: scenario.title, cell, metric: m.metric, failures });
      pairs.get(m.metric)![name === "bare" ? "bare" : "causeway"] = m;
    }
  }
  if (!pairs.size) return [{ scenario: scenario.name, title: scenario.title, cell, metric: "—", failures }];
  return [...pairs.values()];
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // Inherited by the router, the forwarder and every client process started from here on.
  if (args.nice !== undefined) os.setPriority(0, args.nice);
  const wanted = (name: string) => !args.only || args.only.includes(name);
  const started = Date.now();
  const load0 = os.loadavg();
  const head = machine();
  console.log(head.join("\n"));
  const targets = [await startCauseway(), await startBareForwarder()];
  // Interrupted (Ctrl-C, timeout): stop the router and the forwarder rather than leave them running.
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, async () => {
      await Promise.all(targets.map((t) => t.stop()));
      process.exit(130);
    });
  }
  const pairs: Pair[] = [];
  let memoryTable = "";
  try {
    const base: RunOptions = { seconds: args.seconds, transport: "websocket", serializer: "json" };
    // Warm-up, not recorded: a fresh process runs its first seconds on colder JIT tiers, which
    // would penalise whichever scenario comes first.
    for (const name of WARMUP) for (const t of targets) await scenarioByName(name)!.run(t, { ...base, seconds: 1 });
    for (const s of SCENARIOS.filter((s) => wanted(s.name))) {
      for (const p of await measure(s, targets, base, args.rounds)) {
        pairs.push(p);
        console.log(consoleLine(p));
      }
    }
    if (args.matrix && wanted("matrix")) {
      for (const cell of MATRIX.filter((c) => !(c.transport === "websocket" && c.serializer === "json"))) {
        for (const name of MATRIX_SCENARIOS) {
          for (const p of await measure(scenarioByName(name)!, targets, { ...base, ...cell }, args.rounds)) {
            pairs.push(p);
            console.log(consoleLine(p));
          }
        }
      }
    }
  } finally {
    for (const t of targets) await t.stop();
  }
  if (args.memory && wanted("memory")) {
    const { runIdleSessions, idleSessionsTable } = await import("./memory/idle_sessions.ts");
    try {
      memoryTable = idleSessionsTable(await runIdleSessions({ counts: args.memoryCounts }));
    } catch (err) {
      memoryTable = `Idle-session measurement failed: ${(err as Error).message}`;
    }
    console.log(memoryTable);
  }
  const load1 = os.loadavg();
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  console.log(`\n${resultsTable(pairs)}\n\n${targetsTable(pairs)}\n\n${summary(pairs)}\n\n(${minutes} min)`);
  const out = args.out ?? (args.only ? undefined : `${ROOT}bench/RESULTS.md`);
  if (out) {
    writeFileSync(out, resultsMarkdown({ head, pairs, memoryTable, args, minutes, load0, load1 }));
    console.log(`wrote ${out}`);
  }
  const broken = pairs.some((p) => p.failures.length || [p.causeway, p.bare].some((m) => m && (m.errors || m.lost)));
  process.exit(broken ? 1 : 0);
}

interface Doc {
  head: string[];
  pairs: Pair[];
  memoryTable: string;
  args: Args;
  minutes: string;
  load0: number[];
  load1: number[];
}

function resultsMarkdown(d: Doc): string {
  const opt = `${ROOT}bench/OPTIMISATIONS.md`;
  const optimisations = existsSync(opt) ? readFileSync(opt, "utf8").replace(/^# .*\n/, "").trim() : "(bench/OPTIMISATIONS.md does not exist yet.)";
  const cmd = `bun bench/run.ts${d.args.seconds !== 3 ? ` --seconds ${d.args.seconds}` : ""}${d.args.rounds !== 1 ? ` --rounds ${d.args.rounds}` : ""}${d.args.nice !== undefined ? ` --nice ${d.args.nice}` : ""}${d.args.matrix ? "" : " --no-matrix"}${d.args.memory ? "" : " --no-memory"}`;
  const scenarios = [...new Map(d.pairs.map((p) => [p.scenario, p.title])).entries()].map(([n, t]) => `- **${n}**: ${t}`);
  return [
    "# Benchmark results",
    "",
    `Generated by \`${cmd}\` (${d.minutes} min); see bench/README.md for what each scenario does and how`,
    "to read the columns. Every figure counts verified operations only (payload echoed, events in",
    "order, none lost); a row whose \"verified\" column shows errors or losses is not a valid figure.",
    "",
    "## Machine",
    "",
    ...d.head,
    `- load average (1/5/15 min) before the run: ${d.load0.map((x) => x.toFixed(2)).join(" / ")}; after: ${d.load1.map((x) => x.toFixed(2)).join(" / ")}`,
    "  (the \"other\" figure of the CPU columns is the machine's process CPU minus the target's and the",
    "  driver's during each measured window: other processes on the box competing for its 2 cores)",
    ...(d.args.nice !== undefined ? [`- the run and every process it started ran at nice ${d.args.nice}, so other processes yielded CPU to it where they could`] : []),
    "",
    "## Against the issue's targets (WebSocket + JSON, 64-byte payload)",
    "",
    targetsTable(d.pairs),
    "",
    "## Summary",
    "",
    summary(d.pairs),
    "",
    "## Every scenario",
    "",
    d.args.rounds > 1
      ? `Each scenario ran ${d.args.rounds} rounds of ${d.args.seconds} s against Causeway and ${d.args.seconds} s against the bare forwarder, alternating; each target's best round is shown.`
      : `Each scenario ran ${d.args.seconds} s against Causeway and then ${d.args.seconds} s against the bare forwarder.`,
    "\"Causeway / bare\" is Causeway's figure as a share of the forwarder's (for latency: the",
    "forwarder's p99 over Causeway's), so 100% means the router reaches the physical-limit reference.",
    "\"target CPU µs per op\" is the router's (or forwarder's) CPU time divided by the operations:",
    "it barely moves with other load on the machine, so it is the steadier figure to compare",
    "between runs (in \"mixed\" the whole CPU is divided by each kind of operation in turn).",
    "CPU cores (1.00 = one core busy) over the measured window: the target; the driver (its client",
    "processes and the orchestrator) with its busiest client process in parentheses (near 1.00:",
    "that process, not the router, is probably the limit); and other processes on the machine.",
    "",
    resultsTable(d.pairs),
    "",
    "Scenarios:",
    "",
    ...scenarios,
    "",
    "## Idle sessions (bench/memory)",
    "",
    d.memoryTable || "(not run: --no-memory)",
    "",
    "## Optimisations (from bench/OPTIMISATIONS.md)",
    "",
    optimisations,
    "",
  ].join("\n");
}

await main();
