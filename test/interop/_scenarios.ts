// One RPC + pub/sub scenario set, run by each interop test file for every client library ×
// transport × serializer it supports. Two sessions per set (a and b) join realm1 in beforeAll;
// the last scenario closes both and checks that the router is still serving.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ApplicationError, type Connect, Inbox, type InteropClient, payload, withTimeout } from "./_client.ts";

const T = 5_000; // per WAMP round trip

export interface ScenarioOptions {
  connect: Connect;
  /** Whether the router process is still up. */
  routerRunning: () => boolean;
  /** Makes topic and procedure names unique per set (except the spec'd com.example.add2). */
  tag: string;
  /** False for clients that cannot send `exclude_me: false` (wampy 8 drops falsy options). */
  sendsExcludeMeFalse?: boolean;
}

export function rpcAndPubSubScenarios(options: ScenarioOptions): void {
  const { connect, routerRunning, tag, sendsExcludeMeFalse = true } = options;
  let a: InteropClient;
  let b: InteropClient;
  let closed = false;
  const uri = (name: string) => `com.example.${tag}.${name}`;

  beforeAll(async () => {
    a = await withTimeout(connect(), 10_000, "session a joins realm1");
    b = await withTimeout(connect(), 10_000, "session b joins realm1");
  });

  afterAll(async () => {
    if (closed) return;
    await Promise.allSettled([a?.close(), b?.close()]);
  });

  test("the two sessions have distinct session ids", () => {
    expect(Number.isSafeInteger(a.sessionId) && a.sessionId > 0).toBe(true);
    expect(Number.isSafeInteger(b.sessionId) && b.sessionId > 0).toBe(true);
    expect(a.sessionId).not.toBe(b.sessionId);
  });

  test("a caller gets the callee's sum from com.example.add2", async () => {
    await withTimeout(
      a.register("com.example.add2", ({ args }) => payload([(args[0] as number) + (args[1] as number)])),
      T,
      "register",
    );
    const result = await withTimeout(b.call("com.example.add2", [2, 3]), T, "call");
    expect(result).toEqual({ args: [5], kwargs: {} });
  });

  test("positional and keyword arguments travel to the callee and back unchanged", async () => {
    await withTimeout(a.register(uri("echo"), (call) => call), T, "register");
    const kwargs = { name: "causeway — grüße ✓ 日本", n: 42, nested: { list: [1, "two", null, true], f: 1.5 } };
    const result = await withTimeout(b.call(uri("echo"), ["x", 1], kwargs), T, "call");
    expect(result).toEqual({ args: ["x", 1], kwargs });
  });

  test("an application error raised by the callee reaches the caller with its URI and arguments", async () => {
    await withTimeout(
      a.register(uri("fail"), () => {
        throw new ApplicationError("com.example.error.too_big", ["limit exceeded", 42], { limit: 10 });
      }),
      T,
      "register",
    );
    const error = await withTimeout(b.call(uri("fail"), [99]).then(() => undefined, (e) => e), T, "call");
    expect(error).toBeInstanceOf(ApplicationError);
    expect((error as ApplicationError).uri).toBe("com.example.error.too_big");
    expect((error as ApplicationError).args).toEqual(["limit exceeded", 42]);
    expect((error as ApplicationError).kwargs).toEqual({ limit: 10 });
  });

  test("calling a procedure nobody registered fails with wamp.error.no_such_procedure", async () => {
    const error = await withTimeout(b.call(uri("nobody_home"), []).then(() => undefined, (e) => e), T, "call");
    expect(error).toBeInstanceOf(ApplicationError);
    expect((error as ApplicationError).uri).toBe("wamp.error.no_such_procedure");
  });

  test("a subscriber receives the args and kwargs another session published", async () => {
    const inbox = new Inbox();
    await withTimeout(a.subscribe(uri("news"), inbox.push), T, "subscribe");
    await withTimeout(b.publish(uri("news"), ["hello", 7], { from: "b", tags: ["x"] }, { acknowledge: true }), T, "publish");
    expect(await inbox.next(T)).toEqual({ args: ["hello", 7], kwargs: { from: "b", tags: ["x"] } });
  });

  test("an acknowledged publish returns the publication id", async () => {
    const id = await withTimeout(b.publish(uri("acked"), [], {}, { acknowledge: true }), T, "publish");
    expect(typeof id).toBe("number");
    expect(Number.isSafeInteger(id) && (id as number) > 0).toBe(true);
  });

  test("the publisher does not receive its own event", async () => {
    const aInbox = new Inbox();
    const bInbox = new Inbox();
    await withTimeout(a.subscribe(uri("self"), aInbox.push), T, "subscribe a");
    await withTimeout(b.subscribe(uri("self"), bInbox.push), T, "subscribe b");
    await withTimeout(b.publish(uri("self"), ["first"], {}, { acknowledge: true }), T, "publish 1");
    expect((await aInbox.next(T)).args).toEqual(["first"]);
    // The router handled b's publication before a's: an event "first" to b would come first.
    await withTimeout(a.publish(uri("self"), ["second"], {}, { acknowledge: true }), T, "publish 2");
    expect((await bInbox.next(T)).args).toEqual(["second"]);
    expect(bInbox.items.map((e) => e.args)).toEqual([["second"]]);
  });

  test.skipIf(!sendsExcludeMeFalse)("a publisher that sets exclude_me false receives its own event", async () => {
    const inbox = new Inbox();
    await withTimeout(b.subscribe(uri("self_included"), inbox.push), T, "subscribe");
    await withTimeout(b.publish(uri("self_included"), ["mine"], {}, { acknowledge: true, exclude_me: false }), T, "publish");
    expect(await inbox.next(T)).toEqual({ args: ["mine"], kwargs: {} });
  });

  test("after unsubscribing a session receives no more events of that topic", async () => {
    const gone = new Inbox();
    const kept = new Inbox();
    const sub = await withTimeout(a.subscribe(uri("gone"), gone.push), T, "subscribe");
    await withTimeout(a.subscribe(uri("kept"), kept.push), T, "subscribe");
    await withTimeout(b.publish(uri("gone"), [1], {}, { acknowledge: true }), T, "publish");
    expect((await gone.next(T)).args).toEqual([1]);
    await withTimeout(a.unsubscribe(sub), T, "unsubscribe");
    await withTimeout(b.publish(uri("gone"), [2], {}, { acknowledge: true }), T, "publish");
    await withTimeout(b.publish(uri("kept"), [3], {}, { acknowledge: true }), T, "publish");
    // The router handles b's publications in order: an event for "gone" would precede this one.
    expect((await kept.next(T)).args).toEqual([3]);
    expect(gone.items.map((e) => e.args)).toEqual([[1]]);
  });

  test("both sessions leave cleanly and the router keeps serving", async () => {
    closed = true;
    await withTimeout(a.close(), T, "session a leaves");
    await withTimeout(b.close(), T, "session b leaves");
    expect(routerRunning()).toBe(true);
    // A fresh session still works, and a's registrations went away with a.
    const c = await withTimeout(connect(), 10_000, "session c joins");
    const error = await withTimeout(c.call("com.example.add2", [1, 1]).then(() => undefined, (e) => e), T, "call");
    expect((error as ApplicationError).uri).toBe("wamp.error.no_such_procedure");
    await withTimeout(c.close(), T, "session c leaves");
    expect(routerRunning()).toBe(true);
  });
}
