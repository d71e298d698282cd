import { describe, expect, test } from "bun:test";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Abort, ErrorMessage } from "../../src/wamp/messages.ts";
import { createManualClock } from "../../src/util/clock.ts";
import { TokenBucket } from "../../src/router/session_limits.ts";
import { joined, localRouter } from "../_harness/local_router.ts";

describe("limits.maxSessions", () => {
  test("a HELLO over the limit gets ABORT causeway.error.too_many_sessions; a freed slot is reusable", async () => {
    const r = localRouter({ limits: { maxSessions: 2 } });
    const a = await joined(r);
    await joined(r);
    const c = r.connect();
    const reply = await c.join() as Abort;
    expect(reply.type).toBe(T.ABORT);
    expect(reply.reason).toBe("causeway.error.too_many_sessions");
    expect(String(reply.details.message)).toContain("2 sessions");
    await c.waitClosed();
    expect(r.router.counters.get("sessions_refused_limit")).toBe(1);
    expect(r.router.sessionCount).toBe(2);
    a.send({ type: T.GOODBYE, details: {}, reason: "wamp.close.close_realm" });
    await a.nextOfType(T.GOODBYE);
    expect((await r.connect().join()).type).toBe(T.WELCOME);
  });

  test("0 means unlimited", async () => {
    const r = localRouter({ limits: { maxSessions: 0 } });
    for (let i = 0; i < 5; i++) await joined(r);
    expect(r.router.sessionCount).toBe(5);
  });
});

describe("limits.helloTimeoutMs", () => {
  test("a connection without HELLO is closed with ABORT causeway.close.hello_timeout", async () => {
    const clock = createManualClock();
    const r = localRouter({ clock, limits: { helloTimeoutMs: 1000 } });
    const c = r.connect();
    clock.advance(999);
    expect(await c.idle(5)).toEqual([]);
    expect(c.closed).toBe(false);
    clock.advance(1);
    const m = await c.nextOfType<Abort>(T.ABORT);
    expect(m.reason).toBe("causeway.close.hello_timeout");
    await c.waitClosed();
    expect(r.router.counters.get("hello_timeouts")).toBe(1);
  });

  test("a session that sent HELLO in time is not affected", async () => {
    const clock = createManualClock();
    const r = localRouter({ clock, limits: { helloTimeoutMs: 1000 } });
    const c = await joined(r);
    clock.advance(5000);
    expect(await c.idle(5)).toEqual([]);
    expect(c.closed).toBe(false);
    expect(r.router.counters.get("hello_timeouts")).toBe(0);
  });
});

describe("limits.requestsPerSecond", () => {
  test("over the rate a CALL gets ERROR causeway.error.rate_limited and the session stays; tokens refill on the clock", async () => {
    const clock = createManualClock();
    const r = localRouter({ clock, limits: { requestsPerSecond: 2 } });
    const callee = await joined(r);
    const c = await joined(r);
    const reqs = [c.call("com.nope"), c.call("com.nope"), c.call("com.nope")];
    expect((await c.replyTo(reqs[0]) as ErrorMessage).error).toBe("wamp.error.no_such_procedure");
    expect((await c.replyTo(reqs[1]) as ErrorMessage).error).toBe("wamp.error.no_such_procedure");
    const limited = await c.replyTo(reqs[2]) as ErrorMessage;
    expect(limited).toMatchObject({ type: T.ERROR, requestType: T.CALL, request: reqs[2], error: "causeway.error.rate_limited" });
    expect(c.closed).toBe(false);
    expect(r.router.counters.get("requests_rate_limited")).toBe(1);
    clock.advance(500); // one token back
    const again = c.call("com.nope");
    expect((await c.replyTo(again) as ErrorMessage).error).toBe("wamp.error.no_such_procedure");
    // Each session has its own bucket.
    expect(callee.closed).toBe(false);
    await callee.register("com.example.p");
  });

  test("SUBSCRIBE over the rate gets ERROR; PUBLISH without acknowledge is dropped and counted; with acknowledge gets ERROR", async () => {
    const clock = createManualClock();
    const r = localRouter({ clock, limits: { requestsPerSecond: 1 } });
    const sub = await joined(r);
    await sub.subscribe("com.example.t");
    const s2 = sub.request();
    sub.send({ type: T.SUBSCRIBE, request: s2, options: {}, topic: "com.example.u" });
    expect((await sub.replyTo(s2) as ErrorMessage)).toMatchObject({ type: T.ERROR, requestType: T.SUBSCRIBE, error: "causeway.error.rate_limited" });

    const pub = await joined(r);
    pub.send({ type: T.PUBLISH, request: pub.request(), options: {}, topic: "com.example.t", args: [1] });
    await sub.nextOfType(T.EVENT);
    pub.send({ type: T.PUBLISH, request: pub.request(), options: {}, topic: "com.example.t", args: [2] });
    const acked = pub.request();
    pub.send({ type: T.PUBLISH, request: acked, options: { acknowledge: true }, topic: "com.example.t", args: [3] });
    expect((await pub.replyTo(acked) as ErrorMessage)).toMatchObject({ type: T.ERROR, requestType: T.PUBLISH, error: "causeway.error.rate_limited" });
    expect(await sub.idle(5)).toEqual([]);
    expect(r.router.counters.get("publications_dropped_rate_limited")).toBe(1);
    expect(r.router.counters.get("requests_rate_limited")).toBe(3);
    expect(pub.closed).toBe(false);
  });

  test("off by default", async () => {
    const r = localRouter();
    const c = await joined(r);
    const reqs = Array.from({ length: 50 }, () => c.call("com.nope"));
    for (const q of reqs) expect((await c.replyTo(q) as ErrorMessage).error).toBe("wamp.error.no_such_procedure");
  });
});

describe("TokenBucket", () => {
  test("burst, then the rate, capped at the burst", () => {
    const clock = createManualClock();
    const b = new TokenBucket(10, 3, clock);
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
    clock.advance(100);
    expect([b.take(), b.take()]).toEqual([true, false]);
    clock.advance(10_000);
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
  });
});
