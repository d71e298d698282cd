import { describe, expect, test } from "bun:test";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { ErrorMessage, Invocation } from "../../src/wamp/messages.ts";
import { joined, localRouter } from "../_harness/local_router.ts";
import type { MessageClient } from "../_harness/message_client.ts";
import { hashKey, jumpConsistentHash } from "../../src/router/invocation_policy.ts";

async function callees(r: ReturnType<typeof localRouter>, n: number, invoke: string, procedure = "com.example.shared") {
  const out: MessageClient[] = [];
  let id = 0;
  for (let i = 0; i < n; i++) {
    const c = await joined(r);
    const reg = await c.register(procedure, { invoke });
    if (i > 0) expect(reg).toBe(id);
    id = reg;
    out.push(c);
  }
  return out;
}

/** Which callee holds an INVOCATION (none awaited, so no waiter swallows a later message). */
async function invoked(cs: MessageClient[]): Promise<{ m: Invocation; i: number }> {
  for (let tries = 0; tries < 200; tries++) {
    for (let i = 0; i < cs.length; i++) {
      const k = cs[i].received.findIndex((m) => m.type === T.INVOCATION);
      if (k >= 0) return { m: cs[i].received.splice(k, 1)[0] as Invocation, i };
    }
    await new Promise((res) => setTimeout(res, 1));
  }
  throw new Error("no callee got an INVOCATION");
}

/** Calls once and answers from whichever callee got it; returns that callee's index. */
async function served(caller: MessageClient, cs: MessageClient[], options = {}, procedure = "com.example.shared"): Promise<number> {
  const req = caller.call(procedure, [], undefined, options);
  const inv = await invoked(cs);
  cs[inv.i].send({ type: T.YIELD, request: inv.m.request, options: {}, args: [inv.i] });
  expect(await caller.replyTo(req)).toMatchObject({ type: T.RESULT, args: [inv.i] });
  return inv.i;
}

describe("dealer shared registration", () => {
  test("roundrobin cycles through the callees in registration order", async () => {
    const r = localRouter();
    const cs = await callees(r, 3, "roundrobin");
    const caller = await joined(r);
    const order: number[] = [];
    for (let i = 0; i < 6; i++) order.push(await served(caller, cs));
    expect(order).toEqual([0, 1, 2, 0, 1, 2]);
  });

  test("first goes to the oldest callee and fails over to the next when it leaves", async () => {
    const r = localRouter();
    const cs = await callees(r, 3, "first");
    const caller = await joined(r);
    expect(await served(caller, cs)).toBe(0);
    expect(await served(caller, cs)).toBe(0);
    cs[0].peer.close();
    await cs[0].waitClosed();
    expect(await served(caller, cs)).toBe(1);
  });

  test("last goes to the most recently registered callee and fails over to the one before", async () => {
    const r = localRouter();
    const cs = await callees(r, 3, "last");
    const caller = await joined(r);
    expect(await served(caller, cs)).toBe(2);
    cs[2].peer.close();
    await cs[2].waitClosed();
    expect(await served(caller, cs)).toBe(1);
  });

  test("random reaches every callee over many calls", async () => {
    const r = localRouter();
    const cs = await callees(r, 3, "random");
    const caller = await joined(r);
    const seen = new Set<number>();
    for (let i = 0; i < 60 && seen.size < 3; i++) seen.add(await served(caller, cs));
    expect(seen.size).toBe(3);
  });

  test("queue_least_loaded sends each call to the callee with the fewest open invocations", async () => {
    const r = localRouter();
    const cs = await callees(r, 2, "queue_least_loaded");
    const caller = await joined(r);
    caller.call("com.example.shared"); // to callee 0 (tie: oldest), stays open
    const first = await cs[0].nextOfType<Invocation>(T.INVOCATION);
    expect(await served(caller, cs)).toBe(1);
    expect(await served(caller, cs)).toBe(1);
    cs[0].send({ type: T.YIELD, request: first.request, options: {}, args: [] });
    caller.call("com.example.shared");
    caller.call("com.example.shared");
    await cs[0].nextOfType(T.INVOCATION);
    await cs[1].nextOfType(T.INVOCATION);
  });

  test("jump_consistent_hash routes the same rkey to the same callee and requires rkey", async () => {
    const r = localRouter();
    const cs = await callees(r, 4, "jump_consistent_hash");
    const caller = await joined(r);
    for (const key of ["alpha", "beta", "gamma"]) {
      const expected = jumpConsistentHash(hashKey(key), 4);
      for (let i = 0; i < 3; i++) expect(await served(caller, cs, { rkey: key })).toBe(expected);
    }
    const req = caller.call("com.example.shared");
    const err = await caller.replyTo(req) as ErrorMessage;
    expect(err).toMatchObject({ type: T.ERROR, requestType: T.CALL, error: "wamp.error.invalid_argument" });
    expect(String(err.args![0])).toContain("rkey");
  });

  test("jump consistent hash moves only the keys of the added bucket", () => {
    let moved = 0;
    for (let k = 0; k < 1000; k++) {
      const key = hashKey(`key-${k}`);
      const a = jumpConsistentHash(key, 10);
      const b = jumpConsistentHash(key, 11);
      if (a !== b) {
        expect(b).toBe(10);
        moved++;
      }
    }
    expect(moved).toBeGreaterThan(40);
    expect(moved).toBeLessThan(160);
  });

  test("a REGISTER with a different policy is refused with procedure_already_exists saying why", async () => {
    const r = localRouter();
    await callees(r, 1, "roundrobin");
    const b = await joined(r);
    const request = b.request();
    b.send({ type: T.REGISTER, request, options: { invoke: "random" }, procedure: "com.example.shared" });
    const err = await b.replyTo(request) as ErrorMessage;
    expect(err).toMatchObject({ type: T.ERROR, requestType: T.REGISTER, error: "wamp.error.procedure_already_exists" });
    expect(String(err.args![0])).toContain('invoke "roundrobin"');
    const again = b.request();
    b.send({ type: T.REGISTER, request: again, options: {}, procedure: "com.example.shared" });
    expect(await b.replyTo(again)).toMatchObject({ error: "wamp.error.procedure_already_exists" });
  });

  test("a callee that answers unavailable is skipped: the call is rerouted, then no_available_callee", async () => {
    const r = localRouter();
    const cs = await callees(r, 2, "roundrobin");
    const caller = await joined(r);
    const req = caller.call("com.example.shared", ["x"]);
    const a = await cs[0].nextOfType<Invocation>(T.INVOCATION);
    cs[0].send({ type: T.ERROR, requestType: T.INVOCATION, request: a.request, details: {}, error: "wamp.error.unavailable" });
    const b = await cs[1].nextOfType<Invocation>(T.INVOCATION);
    expect(b.args).toEqual(["x"]);
    cs[1].send({ type: T.ERROR, requestType: T.INVOCATION, request: b.request, details: {}, error: "wamp.error.unavailable" });
    expect(await caller.replyTo(req)).toMatchObject({ type: T.ERROR, requestType: T.CALL, request: req, error: "wamp.error.no_available_callee" });
  });

  test("single: a callee answering unavailable gives the caller no_available_callee", async () => {
    const r = localRouter();
    const callee = await joined(r);
    await callee.register("com.example.one");
    const caller = await joined(r);
    const req = caller.call("com.example.one");
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    callee.send({ type: T.ERROR, requestType: T.INVOCATION, request: inv.request, details: {}, error: "wamp.error.unavailable" });
    expect(await caller.replyTo(req)).toMatchObject({ type: T.ERROR, error: "wamp.error.no_available_callee" });
  });
});
