import { describe, expect, test } from "bun:test";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Event } from "../../src/wamp/messages.ts";
import { routerRoles } from "../../src/router/features.ts";
import { joined, localRouter } from "../_harness/local_router.ts";
import type { MessageClient } from "../_harness/message_client.ts";

function publish(c: MessageClient, topic: string, options: Record<string, unknown> = {}, args?: unknown[]): void {
  c.send({ type: T.PUBLISH, request: c.request(), options, topic, args });
}

describe("broker: pattern-based subscription", () => {
  test("prefix and wildcard subscriptions receive the concrete topic in EVENT.Details.topic", async () => {
    const r = localRouter();
    const s = await joined(r);
    const p = await joined(r);
    const exact = await s.subscribe("com.myapp.topic.emergency.11");
    const prefix = await s.subscribe("com.myapp.topic.emergency", { match: "prefix" });
    const wild = await s.subscribe("com.myapp..emergency.11", { match: "wildcard" });
    expect(new Set([exact, prefix, wild]).size).toBe(3);
    publish(p, "com.myapp.topic.emergency.11", {}, ["x"]);
    const events = [await s.nextOfType<Event>(T.EVENT), await s.nextOfType<Event>(T.EVENT), await s.nextOfType<Event>(T.EVENT)];
    const bySub = new Map(events.map((e) => [e.subscription, e]));
    expect(bySub.get(exact)).toMatchObject({ details: {}, args: ["x"] });
    expect(bySub.get(prefix)).toMatchObject({ details: { topic: "com.myapp.topic.emergency.11" }, args: ["x"] });
    expect(bySub.get(wild)).toMatchObject({ details: { topic: "com.myapp.topic.emergency.11" }, args: ["x"] });
    // The same publication on every subscription (spec "Events matching multiple subscriptions").
    expect(new Set(events.map((e) => e.publication)).size).toBe(1);
    expect(await s.idle()).toEqual([]);
  });

  test("prefix matching is on the raw string and wildcards match whole components only", async () => {
    const r = localRouter();
    const s = await joined(r);
    const p = await joined(r);
    const prefix = await s.subscribe("com.myapp.topic.emergency", { match: "prefix" });
    const wild = await s.subscribe("com.myapp..userevent", { match: "wildcard" });
    for (const t of ["com.myapp.topic.emergency-low", "com.myapp.topic.emerge", "com.myapp.foo.userevent", "com.myapp.foo.userevent.bar", "com.myapp2.foo.userevent"]) {
      publish(p, t, {}, [t]);
    }
    const got = (await s.idle()).map((m) => [(m as Event).subscription, (m as Event).details.topic]);
    expect(got).toEqual([[prefix, "com.myapp.topic.emergency-low"], [wild, "com.myapp.foo.userevent"]]);
  });

  test("one subscription per (topic, match) is shared by its subscribers and gets one EVENT object", async () => {
    const r = localRouter();
    const a = await joined(r);
    const b = await joined(r);
    const p = await joined(r);
    const subA = await a.subscribe("com.example", { match: "prefix" });
    expect(await b.subscribe("com.example", { match: "prefix" })).toBe(subA);
    expect(await b.subscribe("com.example")).not.toBe(subA);
    publish(p, "com.example.x");
    const ea = await a.nextOfType<Event>(T.EVENT);
    const eb = await b.nextOfType<Event>(T.EVENT);
    expect(eb).toBe(ea);
    expect(await b.idle()).toEqual([]);
  });

  test("an unsubscribed pattern subscription no longer receives events", async () => {
    const r = localRouter();
    const s = await joined(r);
    const p = await joined(r);
    const prefix = await s.subscribe("com.example", { match: "prefix" });
    const exact = await s.subscribe("com.example.t");
    const request = s.request();
    s.send({ type: T.UNSUBSCRIBE, request, subscription: prefix });
    expect(await s.replyTo(request)).toEqual({ type: T.UNSUBSCRIBED, request });
    publish(p, "com.example.t");
    expect((await s.idle()).map((m) => (m as Event).subscription)).toEqual([exact]);
  });

  test("under strict URI rules a wildcard pattern's concrete components must be strict", async () => {
    const r = localRouter({ realms: [{ name: "realm1", uriCheck: "strict" }] });
    const s = await joined(r);
    expect(await s.subscribe("com..event", { match: "wildcard" })).toBeGreaterThan(0);
    const request = s.request();
    s.send({ type: T.SUBSCRIBE, request, options: { match: "wildcard" }, topic: "com..Event" });
    expect(await s.replyTo(request)).toMatchObject({ type: T.ERROR, error: "wamp.error.invalid_uri" });
  });

  test("invalid patterns are refused with invalid_uri", async () => {
    const r = localRouter();
    const s = await joined(r);
    const request = s.request();
    s.send({ type: T.SUBSCRIBE, request, options: { match: "prefix" }, topic: "com..x" });
    expect(await s.replyTo(request)).toMatchObject({ type: T.ERROR, requestType: T.SUBSCRIBE, error: "wamp.error.invalid_uri" });
  });
});

describe("broker: subscriber black- and whitelisting", () => {
  async function three() {
    const r = localRouter();
    const a = await joined(r);
    const b = await joined(r);
    const c = await joined(r);
    const p = await joined(r);
    for (const x of [a, b, c]) await x.subscribe("com.myapp.topic1");
    return { a, b, c, p };
  }

  async function receivers(clients: MessageClient[]): Promise<boolean[]> {
    return await Promise.all(clients.map(async (x) => (await x.idle()).some((m) => m.type === T.EVENT)));
  }

  test("exclude removes the listed sessions", async () => {
    const { a, b, c, p } = await three();
    publish(p, "com.myapp.topic1", { exclude: [a.session, c.session] });
    expect(await receivers([a, b, c])).toEqual([false, true, false]);
  });

  test("eligible and exclude combine: eligible minus excluded (spec example)", async () => {
    const { a, b, c, p } = await three();
    publish(p, "com.myapp.topic1", { eligible: [a.session, b.session, 12345], exclude: [a.session] });
    expect(await receivers([a, b, c])).toEqual([false, true, false]);
  });

  test("authid and authrole lists apply to the subscribers' identities", async () => {
    const { a, b, c, p } = await three();
    // Anonymous sessions have authrole "anonymous" and distinct authids.
    publish(p, "com.myapp.topic1", { eligible_authrole: ["anonymous"], exclude_authid: ["nobody"] });
    expect(await receivers([a, b, c])).toEqual([true, true, true]);
    publish(p, "com.myapp.topic1", { eligible_authrole: ["admin"] });
    expect(await receivers([a, b, c])).toEqual([false, false, false]);
    publish(p, "com.myapp.topic1", { exclude_authrole: ["anonymous"] });
    expect(await receivers([a, b, c])).toEqual([false, false, false]);
  });

  test("whitelists intersect: a subscriber must be in every eligible list present", async () => {
    const { a, b, c, p } = await three();
    publish(p, "com.myapp.topic1", { eligible: [a.session, b.session], eligible_authrole: ["anonymous"], eligible_authid: ["someone-else"] });
    expect(await receivers([a, b, c])).toEqual([false, false, false]);
  });
});

describe("broker: publisher identification", () => {
  test("disclose_me puts publisher, publisher_authid and publisher_authrole in EVENT.Details", async () => {
    const r = localRouter();
    const s = await joined(r);
    const p = await joined(r);
    const sub = await s.subscribe("com.myapp.topic1");
    const authid = r.router.realm("realm1")!.sessions.get(p.session)!.authid;
    publish(p, "com.myapp.topic1", { disclose_me: true }, ["Hello, world!"]);
    expect(await s.nextOfType<Event>(T.EVENT)).toEqual({
      type: T.EVENT, subscription: sub, publication: expect.any(Number),
      details: { publisher: p.session, publisher_authid: authid, publisher_authrole: "anonymous" },
      args: ["Hello, world!"], kwargs: undefined, payload: undefined,
    });
    publish(p, "com.myapp.topic1", {});
    expect((await s.nextOfType<Event>(T.EVENT)).details).toEqual({});
  });
});

describe("broker: subscription revocation and meta events", () => {
  test("revoke sends [UNSUBSCRIBED, 0, {subscription, reason}] only to subscribers announcing the feature", async () => {
    const r = localRouter();
    const a = r.connect();
    await a.join("realm1", { roles: { subscriber: { features: { subscription_revocation: true } } } });
    const b = await joined(r);
    const sub = await a.subscribe("com.example.t");
    await b.subscribe("com.example.t");
    const broker = r.router.realm("realm1")!.broker;
    expect(broker.revoke(sub, undefined, "no longer authorized")).toBe(true);
    expect(await a.nextOfType(T.UNSUBSCRIBED)).toEqual({ type: T.UNSUBSCRIBED, request: 0, details: { subscription: sub, reason: "no longer authorized" } });
    expect(await b.idle()).toEqual([]);
    expect(broker.get(sub)).toBeUndefined();
    expect(broker.revoke(sub)).toBe(false);
  });

  test("revoking one session keeps the subscription for the others", async () => {
    const r = localRouter();
    const a = await joined(r);
    const b = await joined(r);
    const sub = await a.subscribe("com.example.t");
    await b.subscribe("com.example.t");
    const broker = r.router.realm("realm1")!.broker;
    expect(broker.revoke(sub, a.session)).toBe(true);
    expect(broker.subscribers(sub)).toEqual([b.session]);
    expect(broker.revoke(sub, a.session)).toBe(false);
  });

  test("realm events fire in spec order on subscribe, unsubscribe and leave", async () => {
    const r = localRouter();
    const log: string[] = [];
    r.router.realm("realm1")!.events.add({
      subscriptionCreated: (_s, d) => log.push(`created ${d.uri} ${d.match}`),
      subscribed: () => log.push("subscribed"),
      unsubscribed: () => log.push("unsubscribed"),
      subscriptionDeleted: () => log.push("deleted"),
      sessionLeft: () => log.push("left"),
    });
    const a = await joined(r);
    const b = await joined(r);
    const sub = await a.subscribe("com.example", { match: "prefix" });
    await b.subscribe("com.example", { match: "prefix" });
    const request = a.request();
    a.send({ type: T.UNSUBSCRIBE, request, subscription: sub });
    await a.replyTo(request);
    b.peer.close();
    await b.waitClosed();
    await new Promise((res) => setTimeout(res, 0));
    expect(log).toEqual(["created com.example prefix", "subscribed", "subscribed", "unsubscribed", "unsubscribed", "deleted", "left"]);
  });

  test("the subscription view lists, looks up, matches and describes subscriptions", async () => {
    const r = localRouter();
    const a = await joined(r);
    const e = await a.subscribe("com.a.b");
    const pre = await a.subscribe("com.a", { match: "prefix" });
    const w = await a.subscribe("com..b", { match: "wildcard" });
    const broker = r.router.realm("realm1")!.broker;
    expect(broker.list()).toEqual({ exact: [e], prefix: [pre], wildcard: [w] });
    expect(broker.lookup("com.a", "prefix")).toBe(pre);
    expect(broker.lookup("com.a", "exact")).toBeUndefined();
    expect(broker.match("com.a.b").sort()).toEqual([e, pre, w].sort());
    expect(broker.get(w)).toEqual({ id: w, created: expect.any(String), uri: "com..b", match: "wildcard" });
    expect(broker.subscribers(e)).toEqual([a.session]);
    expect(broker.subscribers(424242)).toBeUndefined();
  });
});

describe("broker: WELCOME announces what is implemented", () => {
  test("the broker features list the advanced pub/sub features", () => {
    const f = (routerRoles().broker as { features: Record<string, boolean> }).features;
    for (const k of ["publisher_exclusion", "pattern_based_subscription", "subscriber_blackwhite_listing", "publisher_identification", "subscription_revocation", "event_retention", "event_history", "publication_trustlevels"]) {
      expect(f[k]).toBe(true);
    }
    // Not implemented, so not announced.
    expect(f.sharded_subscription).toBeUndefined();
  });
});
