/**
 * RPC scenarios: throughput with 100 calls in flight from 1, 2 and 4 callers; sequential call
 * latency; larger payloads (128 ints, a 4 KiB string, a dict of 8 pairs); a progressive result
 * stream; prefix- and wildcard-matched calls with 10,000 other registrations present.
 */
import type { PayloadKind } from "../driver/payloads.ts";
import type { ClientSpec } from "../driver/protocol.ts";
import { base, execute, rate, type Scenario } from "./scenario.ts";

const ECHO = "bench.echo";

export function rpcThroughput(callers: number, payload: PayloadKind = "str64", name?: string): Scenario {
  const scenario = name ?? `rpc-${callers}-caller${callers > 1 ? "s" : ""}`;
  return {
    name: scenario,
    title: `RPC throughput: ${callers} caller${callers > 1 ? "s" : ""} x 100 calls in flight -> 1 callee, ${describePayload(payload)}`,
    async run(target, opts) {
      const b = { ...base(target, opts), payload };
      const clients: ClientSpec[] = [
        { ...b, role: "callee", procedure: ECHO },
        ...Array.from({ length: callers }, (): ClientSpec => ({ ...b, role: "caller", procedure: ECHO, inFlight: 100 })),
      ];
      return [rate(scenario, "calls/s", ["caller"], target, opts, await execute(target, opts, clients))];
    },
  };
}

export const rpcSequential: Scenario = {
  name: "rpc-sequential",
  title: "Sequential call latency: 1 caller, 1 call at a time, 64-byte string (p50/p99/p99.9)",
  async run(target, opts) {
    const b = base(target, opts);
    const result = await execute(target, opts, [
      { ...b, role: "callee", procedure: ECHO },
      { ...b, role: "caller", procedure: ECHO, inFlight: 1, latency: true },
    ]);
    const throughput = rate("rpc-sequential", "calls/s", ["caller"], target, opts, result);
    const lat = result.reports.find((r) => r.latencyUs)?.latencyUs;
    return [{
      ...throughput,
      metric: "p99 µs",
      value: lat?.p99 ?? NaN,
      higherIsBetter: false,
      extra: { "p50 µs": lat?.p50 ?? NaN, "p99.9 µs": lat?.p999 ?? NaN, "calls/s": throughput.value },
    }];
  },
};

export const rpcProgressive: Scenario = {
  name: "rpc-progressive",
  title: "Progressive result stream: each call gets 1000 progressive results + a final one (2 calls in flight)",
  async run(target, opts) {
    const b = base(target, opts);
    const result = await execute(target, opts, [
      { ...b, role: "callee", procedure: "bench.stream", streamLength: 1000 },
      { ...b, role: "caller", procedure: "bench.stream", mode: "progressive", streamLength: 1000, inFlight: 2 },
    ]);
    return [rate("rpc-progressive", "results/s", ["caller"], target, opts, result)];
  },
};

export function rpcPattern(match: "prefix" | "wildcard"): Scenario {
  const name = `rpc-${match}-10k`;
  const registered = match === "prefix" ? "bench.pattern." : "bench.wild..echo";
  const called = match === "prefix" ? "bench.pattern.some.procedure" : "bench.wild.any.echo";
  return {
    name,
    title: `RPC throughput through a ${match} registration ("${registered}") with 10,000 other registrations present, 1 caller x 100 in flight`,
    async run(target, opts) {
      const b = base(target, opts);
      const result = await execute(target, opts, [
        { ...b, role: "filler", count: 10_000 },
        { ...b, role: "callee", procedure: registered, match },
        { ...b, role: "caller", procedure: called, inFlight: 100 },
      ]);
      return [rate(name, "calls/s", ["caller"], target, opts, result)];
    },
  };
}

function describePayload(p: PayloadKind): string {
  return { str64: "args: a 64-byte string", ints128: "args: 128 integers", str4k: "args: a 4 KiB string", dict8: "kwargs: a dict of 8 pairs" }[p];
}
