import { describe, expect, test } from "bun:test";
import { createFailureBackoff } from "../../src/auth/mod.ts";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import { createManualClock } from "../../src/util/clock.ts";
import { authenticate, hello, securedRouter, seedAlice } from "./_auth_harness.ts";

describe("failure backoff", () => {
  test("delays double per failure up to the cap, per key; success and time forget them", () => {
    const clock = createManualClock();
    const b = createFailureBackoff(clock, { baseMs: 100, maxMs: 500, forgetMs: 10_000 });
    expect([b.fail("a"), b.fail("a"), b.fail("a"), b.fail("a"), b.fail("a")]).toEqual([100, 200, 400, 500, 500]);
    expect(b.fail("b")).toBe(100);
    b.succeed("a");
    expect(b.fail("a")).toBe(100);
    clock.advance(10_000);
    expect(b.fail("a")).toBe(100);
  });

  test("the router sends the ABORT of a repeated failure only after the delay", async () => {
    const r = securedRouter({ auth: { backoff: { baseMs: 1000, maxMs: 4000 } } });
    seedAlice(r.repo);
    const c = r.connect();
    await hello(c, { authmethods: ["password"], authid: "alice" });
    c.send({ type: T.AUTHENTICATE, signature: "wrong", extra: {} });
    expect(await c.idle(20)).toEqual([]);
    r.clock.advance(999);
    expect(await c.idle(20)).toEqual([]);
    r.clock.advance(1);
    expect(await c.nextOfType(T.ABORT)).toMatchObject({ reason: "wamp.error.authentication_failed" });
    const d = r.connect();
    await hello(d, { authmethods: ["password"], authid: "alice" });
    d.send({ type: T.AUTHENTICATE, signature: "wrong again", extra: {} });
    expect(await d.idle(20)).toEqual([]);
    r.clock.advance(1999);
    expect(await d.idle(20)).toEqual([]);
    r.clock.advance(1);
    expect(await d.nextOfType(T.ABORT)).toMatchObject({ reason: "wamp.error.authentication_failed" });
    // The right password is not slowed, and clears the count.
    const e = r.connect();
    await hello(e, { authmethods: ["password"], authid: "alice" });
    expect(await authenticate(e, "s3cret")).toMatchObject({ type: T.WELCOME });
  });
});
