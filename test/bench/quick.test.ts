// Keeps the benchmark driver from rotting: every scenario of bench/scenarios runs briefly
// against a Causeway router process and the bare forwarder, and a few serializer x transport
// cells of the matrix too. Only verification is asserted (operations happened, none wrong, none
// lost), never a rate or a latency. BENCH_QUICK_SECONDS sets the time per run (default 0.3 s).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startBareForwarder, startCauseway, type RunningTarget } from "../../bench/driver/targets.ts";
import { runPlan } from "../../bench/driver/orchestrator.ts";
import { SCENARIOS, scenarioByName } from "../../bench/scenarios/catalog.ts";
import type { Measurement, RunOptions, Scenario } from "../../bench/scenarios/scenario.ts";

const seconds = Number(process.env.BENCH_QUICK_SECONDS ?? 0.3);
// Generous per-test limits: each run takes about a second, but on a loaded machine the setup of
// 1000 subscriber sessions or 10k registrations can take much longer; no timing is asserted.
const json: RunOptions = { seconds, transport: "websocket", serializer: "json" };
let targets: RunningTarget[] = [];

beforeAll(async () => {
  targets = [await startCauseway(), await startBareForwarder()];
}, 60_000);
afterAll(async () => {
  for (const t of targets) await t.stop();
}, 30_000);

async function runOnBoth(s: Scenario, opts: RunOptions): Promise<Measurement[]> {
  const out: Measurement[] = [];
  for (const t of targets) out.push(...(await s.run(t, opts)));
  return out;
}

function expectVerified(ms: Measurement[]): void {
  expect(ms.length).toBeGreaterThan(0);
  for (const m of ms) {
    const label = `${m.scenario} on ${m.target} (${m.transport}/${m.serializer}, ${m.metric})`;
    expect({ label, problem: m.problem, errors: m.errors, lost: m.lost }).toEqual({ label, problem: undefined, errors: 0, lost: 0 });
    expect(m.ops).toBeGreaterThan(0);
    expect(Number.isFinite(m.value)).toBe(true);
  }
}

describe("bench scenarios verify their results", () => {
  for (const s of SCENARIOS) {
    test(`${s.name} runs against Causeway and the bare forwarder with every result verified`, async () => {
      expectVerified(await runOnBoth(s, json));
    }, 90_000);
  }

  const cells: Array<[string, RunOptions]> = [
    ["rpc-1-caller", { seconds, transport: "rawsocket", serializer: "msgpack" }],
    ["rpc-1-caller", { seconds, transport: "websocket", serializer: "cbor" }],
    ["fanout-10", { seconds, transport: "rawsocket", serializer: "cbor" }],
    ["fanout-10", { seconds, transport: "websocket", serializer: "msgpack" }],
  ];
  for (const [name, opts] of cells) {
    test(`${name} over ${opts.transport} with ${opts.serializer} verifies its results on both targets`, async () => {
      expectVerified(await runOnBoth(scenarioByName(name)!, opts));
    }, 90_000);
  }
});

describe("bench driver verification", () => {
  test("a callee that answers with a different payload is counted as errors, not as calls", async () => {
    const t = targets[0];
    const b = { endpoint: t.endpoint, transport: "websocket" as const, serializer: "json" as const };
    const result = await runPlan({
      targetPid: t.pid,
      durationMs: 200,
      clients: [
        { ...b, role: "callee", procedure: "bench.mismatch", payload: "str4k" },
        { ...b, role: "caller", procedure: "bench.mismatch", payload: "str64", inFlight: 10 },
      ],
    });
    const caller = result.reports.find((r) => r.role === "caller")!;
    expect(caller.ops).toBe(0);
    expect(caller.errors).toBeGreaterThan(0);
    expect(caller.detail).toContain("bench.error.payload");
  });
});
