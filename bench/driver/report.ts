/**
 * Turns measurements into the console table and bench/RESULTS.md: every scenario's figure for
 * Causeway and the bare forwarder, Causeway as a share of the forwarder, the CPU of the target,
 * of the driver and of everything else on the machine, and the issue's targets.
 */
import type { Measurement } from "../scenarios/scenario.ts";

export interface Pair {
  scenario: string;
  title: string;
  cell: string;
  metric: string;
  causeway?: Measurement;
  bare?: Measurement;
  /** Why a side has no measurement (it failed). */
  failures: string[];
}

const fmt = (v: number | undefined, digits = 0) => (v === undefined || !Number.isFinite(v) ? "—" : v >= 10_000 ? `${Math.round(v / 100) / 10}k` : v.toFixed(digits));
const cores = (v: number | undefined) => (v === undefined ? "—" : v.toFixed(2));
const mib = (b: number | undefined) => (b ? `${(b / 1024 / 1024).toFixed(0)} MiB` : "—");

/** Causeway's figure as a share of the bare forwarder's (for latency: forwarder / Causeway), so higher is always better. */
export function ratio(p: Pair): number | undefined {
  const c = p.causeway?.value;
  const b = p.bare?.value;
  if (c === undefined || b === undefined || !c || !b) return undefined;
  return p.causeway!.higherIsBetter ? c / b : b / c;
}

const verified = (m: Measurement | undefined) => (m ? (m.errors || m.lost ? `**${m.errors} errors, ${m.lost} lost**${m.problem ? ` (${m.problem})` : ""}` : `${m.ops} ok`) : "—");

/**
 * Busy cores during a run: the machine's process CPU, or target + driver when that is larger
 * (/proc/<pid>/stat and /proc/stat's user/system columns do not account the same way, e.g. for
 * interrupt and softirq time, so the machine figure can come out below the two processes').
 */
function busyCores(m: Measurement): number {
  return Math.max(m.machineCpu, m.targetCpu + m.driverCpu);
}

/**
 * What most likely limited a run, from its CPU figures: the router's single thread, one client
 * process, the machine's two cores, or none of them (then the run was bound by round trips).
 */
export function limitOf(m: Measurement | undefined): string {
  if (!m) return "—";
  const other = Math.max(0, m.machineCpu - m.targetCpu - m.driverCpu);
  if (m.targetCpu >= 0.9) return `the ${m.target === "bare" ? "forwarder" : "router"}'s thread (${cores(m.targetCpu)} cores)`;
  if (m.busiestClientCpu >= 0.9) return `a driver process (${cores(m.busiestClientCpu)} cores)`;
  const busy = busyCores(m);
  if (busy >= 1.8) {
    return `both cores busy: ${m.target === "bare" ? "forwarder" : "router"} ${cores(m.targetCpu)}, driver ${cores(m.driverCpu)}, other processes ${cores(other)}`;
  }
  return `nothing saturated (${cores(busy)} of 2 cores busy): the round trips between processes`;
}

const cpuCell = (m?: Measurement) =>
  m ? `${cores(m.targetCpu)}; ${cores(m.driverCpu)} (${cores(m.busiestClientCpu)}); ${cores(Math.max(0, m.machineCpu - m.targetCpu - m.driverCpu))}` : "—";
const withExtra = (m?: Measurement) =>
  m ? `${fmt(m.value)}${Object.keys(m.extra).length ? ` (${Object.entries(m.extra).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")})` : ""}` : "—";

export function resultsTable(pairs: Pair[]): string {
  const rows = [
    "| scenario | transport / serializer | metric | Causeway | bare | Causeway / bare | target CPU µs per op (Causeway / bare) | CPU cores, Causeway run: router; driver (busiest process); other | same, bare run | router peak RSS | verified (Causeway; bare) |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: | --- | --- | ---: | --- |",
  ];
  for (const p of pairs) {
    const c = p.causeway;
    const b = p.bare;
    const r = ratio(p);
    rows.push(
      `| ${p.scenario} | ${p.cell} | ${p.metric} | ${withExtra(c)} | ${withExtra(b)} | ${r === undefined ? "—" : `${Math.round(r * 100)}%`} ` +
        `| ${fmt(c?.targetUsPerOp, 1)} / ${fmt(b?.targetUsPerOp, 1)} | ${cpuCell(c)} | ${cpuCell(b)} | ${mib(c?.targetPeakRss)} ` +
        `| ${verified(c)}; ${verified(b)}${p.failures.length ? ` FAILED: ${p.failures.join("; ")}` : ""} |`,
    );
  }
  return rows.join("\n");
}

/** One console line per pair while the run goes. */
export function consoleLine(p: Pair): string {
  const r = ratio(p);
  return `${p.scenario.padEnd(18)} ${p.cell.padEnd(18)} ${p.metric.padEnd(10)} causeway ${fmt(p.causeway?.value).padStart(8)}  bare ${fmt(p.bare?.value).padStart(8)}  ` +
    `ratio ${r === undefined ? "—" : `${Math.round(r * 100)}%`}  cpu router ${cores(p.causeway?.targetCpu)} driver ${cores(p.causeway?.driverCpu)}` +
    `${p.failures.length ? `  FAILED: ${p.failures.join("; ")}` : ""}${[p.causeway, p.bare].some((m) => m && (m.errors || m.lost)) ? "  UNVERIFIED RESULTS" : ""}`;
}

interface Goal {
  scenario: string;
  cell: string;
  metric: string;
  what: string;
  /** nexus's figure and the multiple of it we aim at. */
  nexus: number;
  target: number;
  lowerIsBetter?: boolean;
}

/** The issue's targets (nexus on a 2-core box, WebSocket + JSON, 64-byte payload). */
const GOALS: Goal[] = [
  { scenario: "rpc-1-caller", cell: "websocket / json", metric: "calls/s", what: "RPC calls/s, 1 caller x 100 in flight", nexus: 32_000, target: 64_000 },
  { scenario: "fanout-10", cell: "websocket / json", metric: "events/s", what: "events/s, 1 -> 10 subscribers", nexus: 90_000, target: 360_000 },
  { scenario: "fanout-100", cell: "websocket / json", metric: "events/s", what: "events/s, 1 -> 100 subscribers", nexus: 90_000, target: 360_000 },
  { scenario: "rpc-sequential", cell: "websocket / json", metric: "p99 µs", what: "sequential call p99 (µs)", nexus: 590, target: 350, lowerIsBetter: true },
];

export function targetsTable(pairs: Pair[]): string {
  const rows = [
    "| target | nexus | goal | Causeway | vs goal | bare forwarder | Causeway / bare (goal ≥ 80%) | what limited Causeway's run |",
    "| --- | ---: | ---: | ---: | --- | ---: | ---: | --- |",
  ];
  for (const g of GOALS) {
    const p = pairs.find((x) => x.scenario === g.scenario && x.cell === g.cell && x.metric === g.metric);
    const c = p?.causeway?.value;
    const r = p && ratio(p);
    let vs = "not measured";
    if (c !== undefined && Number.isFinite(c)) {
      const met = g.lowerIsBetter ? c <= g.target : c >= g.target;
      const pct = (c / g.target - 1) * 100;
      vs = `${met ? "met" : "missed"} (${pct >= 0 ? "+" : ""}${pct.toFixed(0)}%)`;
    }
    rows.push(
      `| ${g.what} | ${fmt(g.nexus)} | ${g.lowerIsBetter ? "≤" : "≥"} ${fmt(g.target)} | ${fmt(c)} | ${vs} | ${fmt(p?.bare?.value)} ` +
        `| ${r === undefined || r === null ? "—" : `${Math.round(r * 100)}% ${r >= 0.8 ? "(met)" : "(missed)"}`} | ${limitOf(p?.causeway)} |`,
    );
  }
  return rows.join("\n");
}

/** A few generated sentences over all pairs: how many reach 80% of the forwarder, the weakest, the driver's load. */
export function summary(pairs: Pair[]): string {
  const rated = pairs.map((p) => ({ p, r: ratio(p) })).filter((x): x is { p: Pair; r: number } => x.r !== undefined);
  const atGoal = rated.filter((x) => x.r >= 0.8).length;
  const weakest = [...rated].sort((a, b) => a.r - b.r).slice(0, 5).map((x) => `${x.p.scenario} ${x.p.cell} ${x.p.metric} ${Math.round(x.r * 100)}%`);
  const runs = pairs.flatMap((p) => [p.causeway, p.bare]).filter((m): m is Measurement => !!m);
  const busiest = runs.reduce((m, r) => (r.busiestClientCpu > m.busiestClientCpu ? r : m), runs[0]);
  const saturated = runs.filter((m) => busyCores(m) >= 1.8).length;
  const others = runs.map((m) => Math.max(0, m.machineCpu - m.targetCpu - m.driverCpu)).sort((a, b) => a - b);
  const median = others.length ? others[Math.floor(others.length / 2)] : 0;
  const unverified = pairs.filter((p) => p.failures.length || [p.causeway, p.bare].some((m) => m && (m.errors || m.lost)));
  return [
    `- Causeway reaches at least 80% of the bare forwarder in ${atGoal} of ${rated.length} measurements; the weakest: ${weakest.join("; ") || "—"}.`,
    busiest
      ? `- The busiest driver process used ${cores(busiest.busiestClientCpu)} cores (${busiest.scenario}, ${busiest.transport}/${busiest.serializer}, against ${busiest.target}); ` +
        `${busiest.busiestClientCpu >= 0.9 ? "so a driver process was the limit there" : "no single driver process was saturated in any run"}.`
      : "- No runs.",
    `- In ${saturated} of ${runs.length} runs both cores were busy (target + driver + other processes ≥ 1.8 cores); the median CPU of other processes during a run was ${cores(median)} cores.`,
    `- ${unverified.length ? `NOT VERIFIED: ${unverified.map((p) => `${p.scenario} ${p.cell}`).join(", ")}` : "Every run verified every result: no errors, nothing lost."}`,
  ].join("\n");
}
