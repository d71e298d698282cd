import { describe, expect, test } from "bun:test";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { ErrorMessage, Event, Invocation, Message } from "../../src/wamp/messages.ts";
import type { GrantRecord, Permission, SecurityRepository } from "../../src/store/security_records.ts";
import { joined, localRouter } from "../_harness/local_router.ts";
import type { MessageClient } from "../_harness/message_client.ts";
import { metaRouter, settle } from "../router/meta_harness.ts";
import { joinedWith } from "../router/_rpc_peers.ts";
import { memoryRepository, realmRecord } from "./_memory_repository.ts";

// Sessions here are anonymous (the only method the router has until auth lands); grants go to
// the `anonymous` principal. Users and groups are covered by policy_matrix.test.ts.

function secured(enabled = true) {
  const repo = memoryRepository();
  repo.putRealm(realmRecord("realm1", { securityEnabled: enabled }));
  return { repo, ...localRouter({ security: repo }) };
}

function grant(repo: SecurityRepository, permissions: Permission[], resource: GrantRecord["resource"] = "any"): string {
  return repo.putGrant("realm1", { id: "", permissions, resource, to: { kind: "anonymous" } }).id;
}

function expectDenied(reply: Message, requestType: number, permission: Permission, uri: string): void {
  expect(reply.type).toBe(T.ERROR);
  const e = reply as ErrorMessage;
  expect(e.requestType).toBe(requestType);
  expect(e.error).toBe("wamp.error.not_authorized");
  expect(e.args).toEqual([`permission ${permission} on "${uri}" is not granted to anonymous`]);
  expect(e.kwargs).toEqual({ permission, uri });
}

async function send(c: MessageClient, msg: Message & { request: number }): Promise<Message> {
  c.send(msg);
  return await c.replyTo(msg.request);
}

describe("router authorization (security enabled)", () => {
  test("REGISTER, SUBSCRIBE, CALL and acknowledged PUBLISH without a grant get ERROR not_authorized", async () => {
    const r = secured();
    const c = await joined(r);
    expectDenied(await send(c, { type: T.REGISTER, request: c.request(), options: {}, procedure: "com.p" }), T.REGISTER, "wamp.register", "com.p");
    expectDenied(await send(c, { type: T.SUBSCRIBE, request: c.request(), options: {}, topic: "com.t" }), T.SUBSCRIBE, "wamp.subscribe", "com.t");
    expectDenied(await c.replyTo(c.call("com.p")), T.CALL, "wamp.call", "com.p");
    expectDenied(await send(c, { type: T.PUBLISH, request: c.request(), options: { acknowledge: true }, topic: "com.t" }), T.PUBLISH, "wamp.publish", "com.t");
    expect(r.router.counters.get("not_authorized")).toBe(4);
  });

  test("granted operations route as usual, per match policy", async () => {
    const r = secured();
    grant(r.repo, ["wamp.register", "wamp.call"], { uri: "com.app.", match: "prefix" });
    grant(r.repo, ["wamp.subscribe"], { uri: "com..news", match: "wildcard" });
    grant(r.repo, ["wamp.publish"], { uri: "com.x.news", match: "exact" });
    const callee = await joined(r);
    const caller = await joined(r);
    await callee.register("com.app.add");
    const req = caller.call("com.app.add", [1]);
    const inv = await callee.nextOfType(T.INVOCATION);
    callee.send({ type: T.YIELD, request: (inv as { request: number }).request, options: {}, args: [2] });
    expect((await caller.replyTo(req)).type).toBe(T.RESULT);
    await callee.subscribe("com.x.news");
    expect((await send(caller, { type: T.PUBLISH, request: caller.request(), options: { acknowledge: true }, topic: "com.x.news" })).type).toBe(T.PUBLISHED);
    expect((await callee.nextOfType(T.EVENT)).type).toBe(T.EVENT);
    expectDenied(await send(caller, { type: T.PUBLISH, request: caller.request(), options: { acknowledge: true }, topic: "com.y.news" }), T.PUBLISH, "wamp.publish", "com.y.news");
  });

  test("UNREGISTER and UNSUBSCRIBE need their own permissions", async () => {
    const r = secured();
    grant(r.repo, ["wamp.register", "wamp.subscribe"]);
    const c = await joined(r);
    const reg = await c.register("com.p");
    const sub = await c.subscribe("com.t");
    expectDenied(await send(c, { type: T.UNREGISTER, request: c.request(), registration: reg }), T.UNREGISTER, "wamp.unregister", "com.p");
    expectDenied(await send(c, { type: T.UNSUBSCRIBE, request: c.request(), subscription: sub }), T.UNSUBSCRIBE, "wamp.unsubscribe", "com.t");
    grant(r.repo, ["wamp.unregister", "wamp.unsubscribe"]);
    expect((await send(c, { type: T.UNREGISTER, request: c.request(), registration: reg })).type).toBe(T.UNREGISTERED);
    expect((await send(c, { type: T.UNSUBSCRIBE, request: c.request(), subscription: sub })).type).toBe(T.UNSUBSCRIBED);
  });

  test("a denied CANCEL is dropped (counted) and the call goes on; a granted one cancels", async () => {
    const r = secured();
    grant(r.repo, ["wamp.register", "wamp.call"]);
    const callee = await joined(r);
    const caller = await joinedWith(r, { call_canceling: true });
    await callee.register("com.slow");
    const req = caller.call("com.slow");
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    caller.send({ type: T.CANCEL, request: req, options: { mode: "skip" } });
    expect(await caller.idle()).toEqual([]);
    expect(r.router.counters.get("not_authorized")).toBe(1);
    callee.send({ type: T.YIELD, request: inv.request, options: {}, args: ["done"] });
    expect((await caller.replyTo(req)).type).toBe(T.RESULT);
    grant(r.repo, ["wamp.cancel"], { uri: "com.slow", match: "exact" });
    const req2 = caller.call("com.slow");
    await callee.nextOfType(T.INVOCATION);
    caller.send({ type: T.CANCEL, request: req2, options: { mode: "skip" } });
    const reply = await caller.replyTo(req2);
    expect((reply as ErrorMessage).error).toBe("wamp.error.canceled");
  });

  test("an unacknowledged PUBLISH that is denied gets no reply, is counted and reaches nobody", async () => {
    const r = secured();
    grant(r.repo, ["wamp.subscribe"]);
    const sub = await joined(r);
    await sub.subscribe("com.t");
    const pub = await joined(r);
    pub.send({ type: T.PUBLISH, request: pub.request(), options: {}, topic: "com.t", args: [1] });
    expect(await pub.idle()).toEqual([]);
    expect(await sub.idle()).toEqual([]);
    expect(r.router.counters.get("not_authorized")).toBe(1);
  });

  test("disclose_me needs wamp.disclose_caller / wamp.disclose_publisher", async () => {
    const r = secured();
    grant(r.repo, ["wamp.register", "wamp.call", "wamp.subscribe", "wamp.publish"]);
    const callee = await joined(r);
    const c = await joined(r);
    await callee.register("com.p");
    await callee.subscribe("com.t");
    expectDenied(await c.replyTo(c.call("com.p", [], undefined, { disclose_me: true })), T.CALL, "wamp.disclose_caller", "com.p");
    expectDenied(await send(c, { type: T.PUBLISH, request: c.request(), options: { acknowledge: true, disclose_me: true }, topic: "com.t" }), T.PUBLISH, "wamp.disclose_publisher", "com.t");
    grant(r.repo, ["wamp.disclose_caller", "wamp.disclose_publisher"]);
    c.call("com.p", [], undefined, { disclose_me: true });
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    expect(inv.details.caller).toBe(c.session);
    c.send({ type: T.PUBLISH, request: c.request(), options: { disclose_me: true }, topic: "com.t" });
    const ev = await callee.nextOfType<Event>(T.EVENT);
    expect(ev.details.publisher).toBe(c.session);
  });

  test("a revoked grant takes effect on the very next message, and a new grant too", async () => {
    const r = secured();
    const id = grant(r.repo, ["wamp.register", "wamp.call"]);
    const callee = await joined(r);
    const c = await joined(r);
    await callee.register("com.p");
    const answer = async () => {
      const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
      callee.send({ type: T.YIELD, request: inv.request, options: {}, args: ["ok"] });
    };
    const first = c.call("com.p");
    await answer();
    expect((await c.replyTo(first)).type).toBe(T.RESULT);
    r.repo.deleteGrant("realm1", id);
    expectDenied(await c.replyTo(c.call("com.p")), T.CALL, "wamp.call", "com.p");
    grant(r.repo, ["wamp.call"], { uri: "com.p", match: "exact" });
    const third = c.call("com.p");
    await answer();
    expect((await c.replyTo(third)).type).toBe(T.RESULT);
  });

  test("disabling and enabling security on the realm takes effect on the next message", async () => {
    const r = secured();
    const c = await joined(r);
    expectDenied(await send(c, { type: T.SUBSCRIBE, request: c.request(), options: {}, topic: "com.t" }), T.SUBSCRIBE, "wamp.subscribe", "com.t");
    r.repo.putRealm(realmRecord("realm1", { securityEnabled: false }));
    expect((await send(c, { type: T.SUBSCRIBE, request: c.request(), options: {}, topic: "com.t" })).type).toBe(T.SUBSCRIBED);
    r.repo.putRealm(realmRecord("realm1", { securityEnabled: true }));
    expectDenied(await send(c, { type: T.SUBSCRIBE, request: c.request(), options: {}, topic: "com.u" }), T.SUBSCRIBE, "wamp.subscribe", "com.u");
  });

  test("meta API procedures need wamp.call grants; the internal meta session itself is not checked", async () => {
    const repo = memoryRepository();
    repo.putRealm(realmRecord("realm1"));
    const r = await metaRouter({ security: repo });
    const c = await joined(r);
    expectDenied(await c.replyTo(c.call("wamp.session.count")), T.CALL, "wamp.call", "wamp.session.count");
    grant(repo, ["wamp.call"], { uri: "wamp.session.", match: "prefix" });
    const reply = await c.replyTo(c.call("wamp.session.count"));
    expect(reply.type).toBe(T.RESULT);
    expect((reply as { args?: unknown[] }).args).toEqual([1]);
    await settle();
  });
});

describe("router authorization (security disabled)", () => {
  test("a realm whose record has security off routes everything without grants", async () => {
    const r = secured(false);
    const c = await joined(r);
    await c.register("com.p");
    await c.subscribe("com.t");
    expect(r.router.realm("realm1")!.security!.enabled).toBe(false);
    expect(r.router.counters.get("not_authorized")).toBe(0);
  });

  test("a realm the repository does not know, or no repository at all, is not checked", async () => {
    const repo = memoryRepository();
    const withRepo = localRouter({ security: repo });
    await (await joined(withRepo)).register("com.p");
    const plain = localRouter();
    expect(plain.router.realm("realm1")!.security).toBeUndefined();
    await (await joined(plain)).register("com.p");
  });
});
