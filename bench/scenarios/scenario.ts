/**
 * What a scenario is (a set of client processes run against one target for a while) and how
 * its reports become measurements: verified operations per second over the measured window,
 * errors and losses, the target's CPU and the driver's own CPU.
 */
import type { SerializerName } from "../driver/codec.ts";
import type { Endpoint, TransportName } from "../driver/connection.ts";
import { runPlan, type PlanResult } from "../driver/orchestrator.ts";
import type { ClientReport, ClientSpec, Role } from "../driver/protocol.ts";

export interface Target {
  /** "causeway" (bun mod.ts) or "bare" (bench/bare_forwarder.ts). */
  name: string;
  endpoint: Endpoint;
  pid: number;
}

export interface RunOptions {
  seconds: number;
  transport: TransportName;
  serializer: SerializerName;
}

export interface Measurement {
  scenario: string;
  target: string;
  transport: TransportName;
  serializer: SerializerName;
  /** What `value` counts: "calls/s", "events/s", "results/s", "p99 µs". */
  metric: string;
  value: number;
  higherIsBetter: boolean;
  /** Verified operations behind the value, and what went wrong (both must be 0 for a valid run). */
  ops: number;
  errors: number;
  lost: number;
  /** First problem a client saw, if any. */
  problem?: string;
  /** Extra figures (latency percentiles, …). */
  extra: Record<string, number>;
  /** CPU over the measured window as a fraction of one core. */
  targetCpu: number;
  /** The target's CPU time per operation (µs): unlike the rate, barely moved by other load on the box. */
  targetUsPerOp: number;
  /** Client processes plus the orchestrating process. */
  driverCpu: number;
  /** The busiest client process (near 1.0 = that process, not the target, may be the limit). */
  busiestClientCpu: number;
  /** The whole machine's busy cores over the window; minus target and driver = other load. */
  machineCpu: number;
  /** The target's peak RSS during the scenario (bytes), filled in by bench/run.ts. */
  targetPeakRss?: number;
}

export interface Scenario {
  name: string;
  /** One line for the README and the results table. */
  title: string;
  run(target: Target, opts: RunOptions): Promise<Measurement[]>;
}

/** The fields every ClientSpec of a scenario shares. */
export function base(target: Target, opts: RunOptions): Pick<ClientSpec, "endpoint" | "transport" | "serializer" | "payload"> {
  return { endpoint: target.endpoint, transport: opts.transport, serializer: opts.serializer, payload: "str64" };
}

export async function execute(target: Target, opts: RunOptions, clients: ClientSpec[]): Promise<PlanResult> {
  return await runPlan({ clients, durationMs: Math.round(opts.seconds * 1000), targetPid: target.pid });
}

/**
 * A rate measurement from the reports of the given roles: their verified operations divided by
 * the time from the start to the last verified operation.
 */
export function rate(
  scenario: string,
  metric: string,
  roles: Role[],
  target: Target,
  opts: RunOptions,
  result: PlanResult,
  extra: Record<string, number> = {},
): Measurement {
  const mine = result.reports.filter((r) => roles.includes(r.role));
  const ops = sum(mine, (r) => r.ops);
  const last = Math.max(...mine.map((r) => r.lastAt));
  const seconds = Math.max(0.001, (last - result.startedAt) / 1000);
  return {
    scenario,
    target: target.name,
    transport: opts.transport,
    serializer: opts.serializer,
    metric,
    value: ops / seconds,
    higherIsBetter: true,
    ops,
    errors: sum(result.reports, (r) => r.errors),
    lost: sum(result.reports, (r) => r.lost),
    problem: result.reports.find((r) => r.detail)?.detail,
    extra,
    targetCpu: result.targetCpu,
    targetUsPerOp: ops ? (result.targetCpu * seconds * 1e6) / ops : NaN,
    driverCpu: result.clientCpu.reduce((a, b) => a + b, 0) + result.orchestratorCpu,
    busiestClientCpu: Math.max(...result.clientCpu),
    machineCpu: result.machineCpu,
  };
}

function sum(reports: ClientReport[], f: (r: ClientReport) => number): number {
  return reports.reduce((n, r) => n + f(r), 0);
}

/** Splits `total` sessions over `processes` processes as evenly as possible. */
export function spread(total: number, processes: number): number[] {
  const n = Math.min(total, processes);
  return Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
}
