import { describe, expect, test } from "bun:test";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { ErrorMessage, Invocation } from "../../src/wamp/messages.ts";
import { createManualClock } from "../../src/util/clock.ts";
import { joined, localRouter } from "../_harness/local_router.ts";
import { joinedWith } from "./_rpc_peers.ts";

describe("dealer pattern-based registration", () => {
  test("prefix and wildcard registrations receive calls with the called URI in Details.procedure", async () => {
    const r = localRouter();
    const callee = await joined(r);
    const pre = await callee.register("com.example.", { match: "prefix" });
    const wild = await callee.register("com..get", { match: "wildcard" });
    const caller = await joined(r);
    let req = caller.call("com.example.user.list", [1]);
    let inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    expect(inv).toEqual({ type: T.INVOCATION, request: inv.request, registration: pre, details: { procedure: "com.example.user.list" }, args: [1], kwargs: undefined, payload: undefined });
    callee.send({ type: T.YIELD, request: inv.request, options: {}, args: ["p"] });
    expect(await caller.replyTo(req)).toMatchObject({ type: T.RESULT, args: ["p"] });
    req = caller.call("com.other.get");
    inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    expect(inv).toMatchObject({ registration: wild, details: { procedure: "com.other.get" } });
  });

  test("exact beats prefix, the longest prefix beats a shorter one, prefix beats wildcard", async () => {
    const r = localRouter();
    const callee = await joined(r);
    const exact = await callee.register("com.a.b.c");
    const short = await callee.register("com.a", { match: "prefix" });
    const long = await callee.register("com.a.b", { match: "prefix" });
    const wild = await callee.register("com.a..c", { match: "wildcard" });
    const caller = await joined(r);
    for (const [uri, reg] of [["com.a.b.c", exact], ["com.a.b.x", long], ["com.a.x", short], ["com.z", undefined]] as const) {
      caller.call(uri);
      if (reg === undefined) continue;
      expect((await callee.nextOfType<Invocation>(T.INVOCATION)).registration).toBe(reg);
    }
    const view = r.router.realm("realm1")!.dealer.registrations;
    expect(view.match("com.x.y.c")).toBeUndefined();
    // com.a.y.c matches both the prefix com.a and the wildcard com.a..c: prefix wins.
    expect(view.match("com.a.y.c")).toBe(short);
    expect(view.lookup("com.a..c", "wildcard")).toBe(wild);
  });

  test("invalid patterns are refused with invalid_uri; the same URI may hold one registration per policy", async () => {
    const r = localRouter();
    const a = await joined(r);
    for (const [procedure, match] of [["com..a", "prefix"], ["", "prefix"], ["com. x", "wildcard"]]) {
      const request = a.request();
      a.send({ type: T.REGISTER, request, options: { match }, procedure });
      expect(await a.replyTo(request)).toMatchObject({ type: T.ERROR, error: "wamp.error.invalid_uri" });
    }
    const ids = [await a.register("com.x"), await a.register("com.x", { match: "prefix" }), await a.register("com.x", { match: "wildcard" })];
    expect(new Set(ids).size).toBe(3);
    expect(r.router.realm("realm1")!.dealer.registrations.list()).toEqual({ exact: [ids[0]], prefix: [ids[1]], wildcard: [ids[2]] });
  });
});

describe("dealer registration view and events", () => {
  test("realm events fire in the meta API's order, also when a callee leaves", async () => {
    const r = localRouter({ clock: createManualClock(Date.UTC(2026, 0, 2)) });
    const seen: string[] = [];
    r.router.realm("realm1")!.events.add({
      registrationCreated: (s, d) => seen.push(`created ${d.uri} ${d.match} ${d.invoke} ${d.created}`),
      registered: () => seen.push("registered"),
      unregistered: () => seen.push("unregistered"),
      registrationDeleted: () => seen.push("deleted"),
      sessionLeft: () => seen.push("left"),
    });
    const a = await joined(r);
    const b = await joined(r);
    const id = await a.register("com.p", { invoke: "roundrobin" });
    await b.register("com.p", { invoke: "roundrobin" });
    const view = r.router.realm("realm1")!.dealer.registrations;
    expect(view.get(id)).toEqual({ id, created: "2026-01-02T00:00:00.000Z", uri: "com.p", match: "exact", invoke: "roundrobin" });
    expect(view.callees(id)).toEqual([a.session, b.session]);
    const request = a.request();
    a.send({ type: T.UNREGISTER, request, registration: id });
    await a.replyTo(request);
    b.peer.close();
    await b.waitClosed();
    expect(seen).toEqual([
      "created com.p exact roundrobin 2026-01-02T00:00:00.000Z", "registered", "registered",
      "unregistered", "unregistered", "deleted", "left",
    ]);
    expect(view.get(id)).toBeUndefined();
    expect(view.callees(id)).toBeUndefined();
  });

  test("revoke sends UNREGISTERED [67, 0, {registration, reason}] only to callees that announced registration_revocation", async () => {
    const r = localRouter();
    const a = await joinedWith(r, { registration_revocation: true });
    const b = await joined(r);
    const id = await a.register("com.p", { invoke: "first" });
    await b.register("com.p", { invoke: "first" });
    const view = r.router.realm("realm1")!.dealer.registrations;
    expect(view.revoke(id, 999)).toBe(false);
    expect(view.revoke(id, undefined, "moving endpoint")).toBe(true);
    expect(await a.nextOfType(T.UNREGISTERED)).toEqual({ type: T.UNREGISTERED, request: 0, details: { registration: id, reason: "moving endpoint" } });
    expect(await b.idle()).toEqual([]);
    expect(view.get(id)).toBeUndefined();
    expect(view.revoke(id)).toBe(false);
    const caller = await joined(r);
    const req = caller.call("com.p");
    expect(await caller.replyTo(req)).toMatchObject({ error: "wamp.error.no_such_procedure" });
  });

  test("revoking one callee keeps the registration serving through the others", async () => {
    const r = localRouter();
    const a = await joinedWith(r, { registration_revocation: true });
    const b = await joined(r);
    const id = await a.register("com.p", { invoke: "roundrobin" });
    await b.register("com.p", { invoke: "roundrobin" });
    const view = r.router.realm("realm1")!.dealer.registrations;
    expect(view.revoke(id, a.session)).toBe(true);
    expect(await a.nextOfType(T.UNREGISTERED)).toEqual({ type: T.UNREGISTERED, request: 0, details: { registration: id } });
    expect(view.callees(id)).toEqual([b.session]);
    const caller = await joined(r);
    caller.call("com.p");
    caller.call("com.p");
    await b.nextOfType(T.INVOCATION);
    await b.nextOfType(T.INVOCATION);
    const err = a.request();
    a.send({ type: T.UNREGISTER, request: err, registration: id });
    expect((await a.replyTo(err) as ErrorMessage).error).toBe("wamp.error.no_such_registration");
  });
});

describe("dealer feature announcement", () => {
  test("WELCOME announces the implemented dealer features and not sharded registration", async () => {
    const r = localRouter();
    const c = r.connect();
    const welcome = await c.join() as unknown as { details: { roles: { dealer: { features: Record<string, boolean> } } } };
    const features = welcome.details.roles.dealer.features;
    for (const f of [
      "shared_registration", "pattern_based_registration", "call_timeout", "call_canceling", "progressive_call_results",
      "progressive_call_invocations", "caller_identification", "registration_revocation", "call_reroute", "payload_passthru_mode",
      "call_trustlevels",
    ]) expect(features[f]).toBe(true);
    expect(features.sharded_registration).toBeUndefined();
  });
});
