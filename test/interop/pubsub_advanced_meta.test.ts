// The pub/sub features that go through the meta API, seen by real clients against the router
// process: subscription revocation (autobahn-js announces it and resolves on_unsubscribe with
// the reason), event history read with wamp.subscription.get_events (autobahn-js), and session
// testaments added by python3-autobahn, published when its transport is lost.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type RouterProcess, startRouterProcess } from "../_harness/router_process.ts";
import { withTimeout } from "./_client.ts";
import { autobahn } from "./_autobahn.ts";
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
interface Connection {
  onopen: (s: RawSession) => void;
  onclose: (reason: string) => boolean;
  open(): void;
  close(): void;
}

let router: RouterProcess;
const connections: { connection: Connection; closed: Promise<void> }[] = [];
beforeAll(async () => {
  router = await startRouterProcess({
    config: { realms: [{ name: "realm1", eventHistory: [{ topic: "com.example.meta.hist", match: "prefix", limit: 3 }] }] },
  });
});
afterAll(async () => {
  for (const c of connections) c.connection.close();
  await Promise.all(connections.map((c) => withTimeout(c.closed, 5000, "autobahn close")));
  await router?.stop();
});

function connect(): Promise<RawSession> {
  const connection = new autobahn.Connection({
    realm: "realm1",
    transports: [{ type: "websocket", url: router.wsUrl, serializers: [new autobahn.serializer.JSONSerializer()] }],
    max_retries: 0,
    retry_if_unreachable: false,
  }) as unknown as Connection;
  let closed!: () => void;
  connections.push({ connection, closed: new Promise<void>((r) => (closed = r)) });
  return withTimeout(new Promise<RawSession>((resolve, reject) => {
    connection.onopen = resolve;
    connection.onclose = (reason) => {
      reject(new Error(`closed: ${reason}`));
      closed();
      return true;
    };
    connection.open();
  }), 5000, "autobahn join");
}

/** autobahn returns a lone positional result bare; a Result carries args/kwargs. */
function firstArg(result: unknown): unknown {
  return result instanceof autobahn.Result ? (result as { args: unknown[] }).args[0] : result;
}

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
