import { describe, expect, test } from "bun:test";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Event, Invocation, Welcome } from "../../src/wamp/messages.ts";
import { joined, localRouter } from "../_harness/local_router.ts";

describe("trust levels", () => {
  test("a call from an authrole the realm rates carries INVOCATION.Details.trustlevel", async () => {
    const r = localRouter({ realms: [{ name: "realm1", trustLevels: { anonymous: 2 } }] });
    const callee = await joined(r);
    const caller = await joined(r);
    await callee.register("com.example.p");
    caller.call("com.example.p", [1]);
    expect(await callee.nextOfType<Invocation>(T.INVOCATION)).toMatchObject({ details: { trustlevel: 2 }, args: [1] });
  });

  test("a publication from a rated authrole carries EVENT.Details.trustlevel for every subscriber", async () => {
    const r = localRouter({ realms: [{ name: "realm1", trustLevels: { anonymous: 0 } }] });
    const s1 = await joined(r);
    const s2 = await joined(r);
    const p = await joined(r);
    await s1.subscribe("com.example.t");
    await s2.subscribe("com.example.t");
    p.send({ type: T.PUBLISH, request: p.request(), options: {}, topic: "com.example.t", args: ["x"] });
    expect((await s1.nextOfType<Event>(T.EVENT)).details).toEqual({ trustlevel: 0 });
    expect((await s2.nextOfType<Event>(T.EVENT)).details).toEqual({ trustlevel: 0 });
  });

  test("roles the realm does not rate get no trustlevel at all", async () => {
    const r = localRouter({ realms: [{ name: "realm1", trustLevels: { backend: 3 } }] });
    const callee = await joined(r);
    const caller = await joined(r);
    await callee.register("com.example.p");
    caller.call("com.example.p");
    expect((await callee.nextOfType<Invocation>(T.INVOCATION)).details).toEqual({});
    await callee.subscribe("com.example.t");
    caller.send({ type: T.PUBLISH, request: caller.request(), options: {}, topic: "com.example.t" });
    expect((await callee.nextOfType<Event>(T.EVENT)).details).toEqual({});
  });

  test("WELCOME announces both trust level features", async () => {
    const r = localRouter();
    const w = await r.connect().join();
    const roles = (w as Welcome).details.roles as Record<string, { features: Record<string, boolean> }>;
    expect(roles.dealer.features.call_trustlevels).toBe(true);
    expect(roles.broker.features.publication_trustlevels).toBe(true);
  });
});
