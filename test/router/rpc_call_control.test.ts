import { describe, expect, test } from "bun:test";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { ErrorMessage, Invocation } from "../../src/wamp/messages.ts";
import { createManualClock } from "../../src/util/clock.ts";
import { joined, localRouter } from "../_harness/local_router.ts";
import { joinedWith } from "./_rpc_peers.ts";

const CANCELING = { call_canceling: true };

async function setup(calleeFeatures: Record<string, boolean> | undefined, realm = {}) {
  const clock = createManualClock();
  const r = localRouter({ clock, realms: [{ name: "realm1", ...realm }] });
  const callee = calleeFeatures ? await joinedWith(r, calleeFeatures) : await joined(r);
  await callee.register("com.example.slow");
  const caller = await joinedWith(r, CANCELING);
  return { r, clock, callee, caller };
}

describe("call timeout", () => {
  test("on expiry the caller gets wamp.error.timeout and a canceling callee INTERRUPT killnowait", async () => {
    const { clock, callee, caller, r } = await setup(CANCELING);
    const req = caller.call("com.example.slow", [], undefined, { timeout: 1000 });
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    clock.advance(999);
    expect(await caller.idle(5)).toEqual([]);
    clock.advance(1);
    const err = await caller.replyTo(req) as ErrorMessage;
    expect(err).toMatchObject({ type: T.ERROR, requestType: T.CALL, request: req, details: {}, error: "wamp.error.timeout" });
    expect(await callee.nextOfType(T.INTERRUPT)).toEqual({ type: T.INTERRUPT, request: inv.request, options: { mode: "killnowait", reason: "wamp.error.timeout" } });
    // The late answer is dropped quietly.
    callee.send({ type: T.YIELD, request: inv.request, options: {}, args: [] });
    expect(await caller.idle(5)).toEqual([]);
    expect(callee.closed).toBe(false);
    expect(r.router.counters.get("calls_timed_out")).toBe(1);
  });

  test("a callee without call canceling gets no INTERRUPT (skip)", async () => {
    const { clock, callee, caller } = await setup(undefined);
    const req = caller.call("com.example.slow", [], undefined, { timeout: 10 });
    await callee.nextOfType(T.INVOCATION);
    clock.advance(10);
    expect(await caller.replyTo(req)).toMatchObject({ error: "wamp.error.timeout" });
    expect(await callee.idle(5)).toEqual([]);
  });

  test("a call answered in time clears its timer", async () => {
    const { clock, callee, caller } = await setup(CANCELING);
    const req = caller.call("com.example.slow", [], undefined, { timeout: 10 });
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    expect(clock.pending()).toBe(1);
    callee.send({ type: T.YIELD, request: inv.request, options: {}, args: [1] });
    expect(await caller.replyTo(req)).toMatchObject({ type: T.RESULT });
    expect(clock.pending()).toBe(0);
  });

  test("the realm default applies when CALL sets none, and the realm maximum caps what it sets", async () => {
    const { clock, callee, caller } = await setup(CANCELING, { defaultCallTimeoutMs: 50, maxCallTimeoutMs: 200 });
    const a = caller.call("com.example.slow");
    const b = caller.call("com.example.slow", [], undefined, { timeout: 100000 });
    await callee.nextOfType(T.INVOCATION);
    await callee.nextOfType(T.INVOCATION);
    clock.advance(50);
    expect(await caller.replyTo(a)).toMatchObject({ error: "wamp.error.timeout" });
    expect(await caller.idle(5)).toEqual([]);
    clock.advance(150);
    expect(await caller.replyTo(b)).toMatchObject({ error: "wamp.error.timeout" });
  });

  test("forward_timeout: a callee announcing call_timeout gets Details.timeout and the router sets no timer", async () => {
    const clock = createManualClock();
    const r = localRouter({ clock });
    const callee = await joinedWith(r, { call_timeout: true });
    await callee.register("com.example.fwd", { forward_timeout: true });
    const caller = await joined(r);
    caller.call("com.example.fwd", [], undefined, { timeout: 30 });
    expect((await callee.nextOfType<Invocation>(T.INVOCATION)).details).toEqual({ timeout: 30 });
    expect(clock.pending()).toBe(0);
  });
});

describe("call canceling", () => {
  test("skip: ERROR canceled at once, no INTERRUPT, the later YIELD is dropped", async () => {
    const { callee, caller } = await setup(CANCELING);
    const req = caller.call("com.example.slow");
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    caller.send({ type: T.CANCEL, request: req, options: { mode: "skip" } });
    expect(await caller.replyTo(req)).toMatchObject({ type: T.ERROR, requestType: T.CALL, request: req, error: "wamp.error.canceled" });
    expect(await callee.idle(5)).toEqual([]);
    callee.send({ type: T.YIELD, request: inv.request, options: {}, args: [] });
    expect(await caller.idle(5)).toEqual([]);
  });

  test("kill: INTERRUPT to the callee, and the callee's ERROR is what the caller gets", async () => {
    const { callee, caller } = await setup(CANCELING);
    const req = caller.call("com.example.slow");
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    caller.send({ type: T.CANCEL, request: req, options: { mode: "kill" } });
    expect(await callee.nextOfType(T.INTERRUPT)).toEqual({ type: T.INTERRUPT, request: inv.request, options: { mode: "kill" } });
    expect(await caller.idle(5)).toEqual([]);
    callee.send({ type: T.ERROR, requestType: T.INVOCATION, request: inv.request, details: {}, error: "wamp.error.canceled", args: ["stopped"] });
    expect(await caller.replyTo(req)).toEqual({ type: T.ERROR, requestType: T.CALL, request: req, details: {}, error: "wamp.error.canceled", args: ["stopped"], kwargs: undefined, payload: undefined });
  });

  test("killnowait (the default): ERROR canceled at once, then INTERRUPT", async () => {
    const { callee, caller } = await setup({ call_cancelling: true });
    const req = caller.call("com.example.slow");
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    caller.send({ type: T.CANCEL, request: req, options: {} });
    expect(await caller.replyTo(req)).toMatchObject({ error: "wamp.error.canceled" });
    expect(await callee.nextOfType(T.INTERRUPT)).toEqual({ type: T.INTERRUPT, request: inv.request, options: { mode: "killnowait" } });
  });

  test("kill to a callee without call canceling is handled as skip", async () => {
    const { callee, caller } = await setup(undefined);
    const req = caller.call("com.example.slow");
    await callee.nextOfType(T.INVOCATION);
    caller.send({ type: T.CANCEL, request: req, options: { mode: "kill" } });
    expect(await caller.replyTo(req)).toMatchObject({ error: "wamp.error.canceled" });
    expect(await callee.idle(5)).toEqual([]);
  });

  test("CANCEL for a finished or unknown call is ignored", async () => {
    const { caller } = await setup(CANCELING);
    caller.send({ type: T.CANCEL, request: 77, options: {} });
    expect(await caller.idle(5)).toEqual([]);
    expect(caller.closed).toBe(false);
  });

  test("a caller leaving interrupts its calls at callees that announced call canceling", async () => {
    const { callee, caller } = await setup(CANCELING);
    caller.call("com.example.slow");
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    caller.peer.close();
    expect(await callee.nextOfType(T.INTERRUPT)).toEqual({ type: T.INTERRUPT, request: inv.request, options: { mode: "killnowait" } });
  });
});
