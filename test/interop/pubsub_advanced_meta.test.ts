// The pub/sub features that go through the meta API, seen by real clients against the router
// process: subscription revocation (autobahn-js announces it and resolves on_unsubscribe with
// the reason), event history read with wamp.subscription.get_events (autobahn-js), and session
// testaments added by python3-autobahn, published when its transport is lost.
import { describe, expect, test } from "bun:test";
import { routerProcessForFile, withTimeout } from "./_client.ts";
import { firstArg, RawAutobahnSessions } from "./_autobahn.ts";
import { startPythonScript } from "./_python.ts";

type Kwargs = Record<string, unknown>;
interface Subscription {
  id: number;
  on_unsubscribe: PromiseLike<string | undefined>;
}
interface RawSession {
  id: number;
  subscribe(topic: string, handler: (args: unknown[], kwargs: Kwargs) => void, options?: object): PromiseLike<Subscription>;
  publish(topic: string, args: unknown[], kwargs: Kwargs, options: object): PromiseLike<unknown>;
  call(procedure: string, args?: unknown[], kwargs?: Kwargs): PromiseLike<unknown>;
}

const sessions = new RawAutobahnSessions();
const router = routerProcessForFile(
  { config: { realms: [{ name: "realm1", eventHistory: [{ topic: "com.example.meta.hist", match: "prefix", limit: 3 }] }] } },
  () => sessions.closeAll(),
);
const connect = async (): Promise<RawSession> => (await sessions.connect<RawSession>(router.wsUrl)).session;

describe("pub/sub through the meta API", () => {
  test("autobahn-js learns of a revoked subscription with the reason (subscription revocation)", async () => {
    const subscriber = await connect();
    const admin = await connect();
    const sub = await subscriber.subscribe("com.example.meta.revoked", () => {});
    await admin.call("wamp.subscription.remove", [sub.id, subscriber.id], { reason: "no longer authorized" });
    expect(await withTimeout(Promise.resolve(sub.on_unsubscribe), 5000, "on_unsubscribe")).toBe("no longer authorized");
    expect(firstArg(await admin.call("wamp.subscription.lookup", ["com.example.meta.revoked"]))).toBeNull();
  });

  test("wamp.subscription.get_events returns the history kept from before anyone subscribed", async () => {
    const publisher = await connect();
    for (const n of [1, 2, 3, 4]) {
      await publisher.publish(`com.example.meta.hist.${n % 2 ? "odd" : "even"}`, [n], {}, { acknowledge: true });
    }
    const reader = await connect();
    const sub = await reader.subscribe("com.example.meta.hist", () => {}, { match: "prefix" });
    const events = firstArg(await reader.call("wamp.subscription.get_events", [sub.id])) as Kwargs[];
    expect(events.map((e) => [e.args, (e.details as Kwargs).topic, e.subscription])).toEqual([
      [[2], "com.example.meta.hist.even", sub.id],
      [[3], "com.example.meta.hist.odd", sub.id],
      [[4], "com.example.meta.hist.even", sub.id],
    ]);
    expect(typeof events[0].timestamp).toBe("string");
    const last = firstArg(await reader.call("wamp.subscription.get_events", [sub.id], { limit: 1, reverse: true })) as Kwargs[];
    expect(last.map((e) => e.args)).toEqual([[4]]);
  });

  test("a python session's testaments are published when its transport is lost, detached first", async () => {
    const watcher = await connect();
    const got: unknown[][] = [];
    let done!: () => void;
    const both = new Promise<void>((r) => (done = r));
    await watcher.subscribe("com.example.meta.testament", (args, kwargs) => {
      got.push([...args, kwargs]);
      if (got.length === 2) done();
    });
    const testator = startPythonScript("pubsub_testament_peer.py", [router.wsUrl, "json", "com.example.meta.testament"]);
    await testator.waitFor("ready", 10_000);
    expect(await testator.exit(5_000)).toBe(0);
    await withTimeout(both, 5000, "testament events");
    expect(got).toEqual([["detached", { who: "py" }], ["destroyed", { who: "py" }]]);
  });
});
