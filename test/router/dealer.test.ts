import { describe, expect, test } from "bun:test";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { ErrorMessage, Invocation } from "../../src/wamp/messages.ts";
import { joined, localRouter } from "../_harness/local_router.ts";

describe("dealer", () => {
  test("routes a call to the single callee and the result back to the caller", async () => {
    const r = localRouter();
    const callee = await joined(r);
    const caller = await joined(r);
    const registration = await callee.register("com.example.add2");
    const req = caller.call("com.example.add2", [2, 3], { x: 1 });
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    expect(inv).toMatchObject({ registration, details: {}, args: [2, 3], kwargs: { x: 1 } });
    callee.send({ type: T.YIELD, request: inv.request, options: {}, args: [5] });
    const res = await caller.replyTo(req);
    expect(res).toMatchObject({ type: T.RESULT, request: req, details: {}, args: [5] });
  });

  test("invocation ids are sequential per callee", async () => {
    const r = localRouter();
    const callee = await joined(r);
    const caller = await joined(r);
    await callee.register("com.example.p");
    caller.call("com.example.p");
    caller.call("com.example.p");
    const a = await callee.nextOfType<Invocation>(T.INVOCATION);
    const b = await callee.nextOfType<Invocation>(T.INVOCATION);
    expect(b.request).toBe(a.request + 1);
  });

  test("a callee's ERROR reaches the caller with its URI, args and kwargs", async () => {
    const r = localRouter();
    const callee = await joined(r);
    const caller = await joined(r);
    await callee.register("com.example.fail");
    const req = caller.call("com.example.fail");
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    callee.send({ type: T.ERROR, requestType: T.INVOCATION, request: inv.request, details: {}, error: "com.example.oops", args: ["bad"], kwargs: { code: 7 } });
    expect(await caller.replyTo(req)).toMatchObject({
      type: T.ERROR, requestType: T.CALL, request: req, error: "com.example.oops", args: ["bad"], kwargs: { code: 7 },
    });
  });

  test("calling an unregistered procedure gives no_such_procedure", async () => {
    const r = localRouter();
    const caller = await joined(r);
    const req = caller.call("com.example.nothing");
    const err = await caller.replyTo(req) as ErrorMessage;
    expect(err).toMatchObject({ type: T.ERROR, requestType: T.CALL, error: "wamp.error.no_such_procedure" });
    expect(String(err.args![0])).toContain("com.example.nothing");
  });

  test("registering a procedure twice gives procedure_already_exists", async () => {
    const r = localRouter();
    const a = await joined(r);
    const b = await joined(r);
    await a.register("com.example.p");
    const request = b.request();
    b.send({ type: T.REGISTER, request, options: {}, procedure: "com.example.p" });
    expect(await b.replyTo(request)).toMatchObject({ type: T.ERROR, requestType: T.REGISTER, error: "wamp.error.procedure_already_exists" });
  });

  test("invalid and reserved procedure URIs are refused with invalid_uri", async () => {
    const r = localRouter();
    const a = await joined(r);
    for (const procedure of ["com..bad", "has space", "wamp.session.count", ""]) {
      const request = a.request();
      a.send({ type: T.REGISTER, request, options: {}, procedure });
      expect(await a.replyTo(request)).toMatchObject({ type: T.ERROR, error: "wamp.error.invalid_uri" });
    }
  });

  test("strict realms refuse URIs that loose realms accept", async () => {
    const r = localRouter({ realms: [{ name: "realm1", uriCheck: "strict" }] });
    const a = await joined(r);
    const request = a.request();
    a.send({ type: T.REGISTER, request, options: {}, procedure: "com.Example.Proc" });
    expect(await a.replyTo(request)).toMatchObject({ type: T.ERROR, error: "wamp.error.invalid_uri" });
  });

  test("unregister removes the registration; unknown ids give no_such_registration", async () => {
    const r = localRouter();
    const a = await joined(r);
    const b = await joined(r);
    const reg = await a.register("com.example.p");
    let request = b.request();
    b.send({ type: T.UNREGISTER, request, registration: reg });
    expect(await b.replyTo(request)).toMatchObject({ error: "wamp.error.no_such_registration" });
    request = a.request();
    a.send({ type: T.UNREGISTER, request, registration: reg });
    expect(await a.replyTo(request)).toEqual({ type: T.UNREGISTERED, request });
    const req = b.call("com.example.p");
    expect(await b.replyTo(req)).toMatchObject({ error: "wamp.error.no_such_procedure" });
  });

  test("when the callee leaves, its registrations go and pending calls fail with an ERROR", async () => {
    const r = localRouter();
    const callee = await joined(r);
    const caller = await joined(r);
    await callee.register("com.example.slow");
    const req = caller.call("com.example.slow");
    await callee.nextOfType(T.INVOCATION);
    callee.peer.close();
    const err = await caller.replyTo(req) as ErrorMessage;
    expect(err).toMatchObject({ type: T.ERROR, requestType: T.CALL, error: "wamp.error.canceled" });
    const again = caller.call("com.example.slow");
    expect(await caller.replyTo(again)).toMatchObject({ error: "wamp.error.no_such_procedure" });
    expect(r.router.realm("realm1")!.dealer.registrationCount).toBe(0);
  });

  test("a YIELD after the caller left is dropped quietly and the callee stays joined", async () => {
    const r = localRouter();
    const callee = await joined(r);
    const caller = await joined(r);
    await callee.register("com.example.p");
    caller.call("com.example.p");
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    caller.peer.close();
    await caller.waitClosed();
    callee.send({ type: T.YIELD, request: inv.request, options: {}, args: [1] });
    expect(await callee.idle()).toEqual([]);
    expect(callee.closed).toBe(false);
    expect(r.router.sessionCount).toBe(1);
  });

  test("a call to a callee over its outbound bound fails promptly with unavailable", async () => {
    const r = localRouter();
    // The router may queue at most one undelivered message towards this callee.
    const callee = r.connect(1);
    await callee.join();
    await callee.register("com.example.p");
    const caller = await joined(r);
    // Both CALLs reach the router in one batch: the first INVOCATION fills the callee's queue
    // before it can read, so the second call must be refused at once, not queued.
    const first = caller.call("com.example.p");
    const second = caller.call("com.example.p");
    const err = await caller.replyTo(second) as ErrorMessage;
    expect(err.error).toBe("wamp.error.unavailable");
    expect(r.router.counters.get("calls_refused_callee_overloaded")).toBe(1);
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    callee.send({ type: T.YIELD, request: inv.request, options: {}, args: ["ok"] });
    expect(await caller.replyTo(first)).toMatchObject({ type: T.RESULT, args: ["ok"] });
  });

  test("payload passthru: a binary payload travels untouched to the callee and back", async () => {
    const r = localRouter();
    const callee = await joined(r);
    const caller = await joined(r);
    await callee.register("com.example.ppt");
    const payload = new Uint8Array([1, 2, 3]);
    const request = caller.request();
    caller.send({ type: T.CALL, request, options: {}, procedure: "com.example.ppt", payload });
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    expect(inv.payload).toEqual(payload);
    callee.send({ type: T.YIELD, request: inv.request, options: {}, payload: new Uint8Array([9]) });
    expect(await caller.replyTo(request)).toMatchObject({ type: T.RESULT, payload: new Uint8Array([9]) });
  });
});
