/**
 * Pub/sub scenarios: one publisher fanning out to 10, 100 and 1000 subscribers (subscribers
 * spread over client processes), and a mixed load of RPC and pub/sub at once. Every event is
 * checked for order and payload; the publisher stays a bounded window ahead of the slowest
 * subscriber, so the router is never asked to buffer without limit.
 */
import type { ClientSpec } from "../driver/protocol.ts";
import { base, execute, rate, spread, type Scenario } from "./scenario.ts";

const TOPIC = "bench.topic";
/** Subscriber processes: the box has 2 cores, more processes only add scheduling. */
const SUBSCRIBER_PROCESSES = 2;

/** Publications the publisher may be ahead of the slowest subscriber (~200 KB per subscriber at most). */
export function windowFor(subscribers: number): number {
  return Math.max(64, Math.floor(20_000 / subscribers));
}

function subscriberClients(b: ReturnType<typeof base>, subscribers: number): ClientSpec[] {
  return spread(subscribers, SUBSCRIBER_PROCESSES).map((sessions): ClientSpec => ({ ...b, role: "subscriber", topic: TOPIC, sessions }));
}

export function fanout(subscribers: number): Scenario {
  const name = `fanout-${subscribers}`;
  return {
    name,
    title: `Pub/sub fan-out: 1 publisher -> ${subscribers} subscribers, 64-byte string (events delivered per second)`,
    async run(target, opts) {
      const b = base(target, opts);
      const result = await execute(target, opts, [
        ...subscriberClients(b, subscribers),
        { ...b, role: "publisher", topic: TOPIC, window: windowFor(subscribers) },
      ]);
      const m = rate(name, "events/s", ["subscriber"], target, opts, result);
      m.extra["publications/s"] = m.value / subscribers;
      return [m];
    },
  };
}

/** The mixed scenario's pub/sub load: fixed, so the RPC rate under it compares between targets. */
const MIXED_PUBLICATIONS_PER_SECOND = 10_000;

export const mixed: Scenario = {
  name: "mixed",
  title: `Mixed load: 1 caller x 100 in flight -> 1 callee, while 1 publisher offers ${MIXED_PUBLICATIONS_PER_SECOND / 1000}k publications/s to 10 subscribers (${MIXED_PUBLICATIONS_PER_SECOND / 100}k events/s)`,
  async run(target, opts) {
    const b = base(target, opts);
    const result = await execute(target, opts, [
      { ...b, role: "callee", procedure: "bench.echo" },
      { ...b, role: "caller", procedure: "bench.echo", inFlight: 100 },
      ...subscriberClients(b, 10),
      { ...b, role: "publisher", topic: TOPIC, window: windowFor(10), rate: MIXED_PUBLICATIONS_PER_SECOND },
    ]);
    return [
      rate("mixed", "calls/s", ["caller"], target, opts, result),
      rate("mixed", "events/s", ["subscriber"], target, opts, result),
    ];
  },
};
