import { describe, expect, test } from "bun:test";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Event, Subscribed } from "../../src/wamp/messages.ts";
import type { RealmConfig } from "../../src/router/router.ts";
import { createManualClock } from "../../src/util/clock.ts";
import { joined, localRouter } from "../_harness/local_router.ts";
import type { MessageClient } from "../_harness/message_client.ts";

function publish(c: MessageClient, topic: string, options: Record<string, unknown> = {}, args?: unknown[]): void {
  c.send({ type: T.PUBLISH, request: c.request(), options, topic, args });
}

/** Sends SUBSCRIBE with get_retained and returns SUBSCRIBED plus whatever followed it. */
async function subscribeRetained(c: MessageClient, topic: string, options: Record<string, unknown> = {}) {
  const request = c.request();
  c.send({ type: T.SUBSCRIBE, request, options: { get_retained: true, ...options }, topic });
  const subscribed = await c.replyTo(request) as Subscribed;
  return { subscribed, after: await c.idle() };
}

function realm(extra: Partial<RealmConfig> = {}) {
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  const r = localRouter({ clock, realms: [{ name: "realm1", ...extra }] });
  return { r, clock };
}

describe("broker: event retention", () => {
  test("a retained publication without subscribers is delivered after SUBSCRIBED with retained: true", async () => {
    const { r } = realm();
    const p = await joined(r);
    const request = p.request();
    p.send({ type: T.PUBLISH, request, options: { retain: true, acknowledge: true, disclose_me: true }, topic: "com.example.temp", args: [21] });
    const ack = await p.replyTo(request);
    publish(p, "com.example.temp", {}, [22]); // not retained: the retained event stays the first
    const s = await joined(r);
    const { subscribed, after } = await subscribeRetained(s, "com.example.temp");
    expect(subscribed.type).toBe(T.SUBSCRIBED);
    expect(after).toEqual([{
      type: T.EVENT, subscription: subscribed.subscription, publication: (ack as { publication: number }).publication,
      details: { publisher: p.session, publisher_authid: expect.any(String), publisher_authrole: "anonymous", retained: true },
      args: [21], kwargs: undefined, payload: undefined,
    }]);
  });

  test("only the most recent retained event is kept, and nothing is sent without get_retained", async () => {
    const { r } = realm();
    const p = await joined(r);
    publish(p, "com.example.temp", { retain: true }, [1]);
    publish(p, "com.example.temp", { retain: true }, [2]);
    const s = await joined(r);
    await s.subscribe("com.example.temp");
    expect(await s.idle()).toEqual([]);
    const s2 = await joined(r);
    const { after } = await subscribeRetained(s2, "com.example.temp");
    expect(after.map((m) => (m as Event).args)).toEqual([[2]]);
  });

  test("a pattern subscription receives every matching retained topic with its concrete topic", async () => {
    const { r } = realm();
    const p = await joined(r);
    publish(p, "com.sensor.a.temp", { retain: true }, ["a"]);
    publish(p, "com.sensor.b.temp", { retain: true }, ["b"]);
    publish(p, "com.sensor.b.humidity", { retain: true }, ["h"]);
    const s = await joined(r);
    const { subscribed, after } = await subscribeRetained(s, "com.sensor..temp", { match: "wildcard" });
    expect(after.map((m) => [(m as Event).subscription, (m as Event).details])).toEqual([
      [subscribed.subscription, { retained: true, topic: "com.sensor.a.temp" }],
      [subscribed.subscription, { retained: true, topic: "com.sensor.b.temp" }],
    ]);
  });

  test("the stored publication's black/white lists apply to the later subscriber", async () => {
    const { r } = realm();
    const p = await joined(r);
    const ok = await joined(r);
    const no = await joined(r);
    publish(p, "com.example.secret", { retain: true, eligible: [ok.session] }, ["s"]);
    expect((await subscribeRetained(no, "com.example.secret")).after).toEqual([]);
    expect((await subscribeRetained(ok, "com.example.secret")).after.map((m) => (m as Event).args)).toEqual([["s"]]);
  });

  test("a subscriber gets the most recent retained event it would have received, not just the latest", async () => {
    const { r } = realm();
    const p = await joined(r);
    const ok = await joined(r);
    const no = await joined(r);
    publish(p, "com.example.t", { retain: true }, ["everyone"]);
    publish(p, "com.example.t", { retain: true, exclude: [no.session] }, ["not-no"]);
    const args = async (c: MessageClient) => (await subscribeRetained(c, "com.example.t")).after.map((m) => (m as Event).args);
    expect(await args(no)).toEqual([["everyone"]]);
    expect(await args(ok)).toEqual([["not-no"]]);
    // A new unrestricted retained event replaces the whole chain.
    publish(p, "com.example.t", { retain: true }, ["again"]);
    expect(await args(await joined(r))).toEqual([["again"]]);
  });

  test("retained events expire after ttlMs on the realm clock", async () => {
    const { r, clock } = realm({ retention: { maxTopics: 10, ttlMs: 1000 } });
    const p = await joined(r);
    publish(p, "com.example.t", { retain: true }, [1]);
    await p.idle(0);
    clock.advance(999);
    expect((await subscribeRetained(await joined(r), "com.example.t")).after).toHaveLength(1);
    clock.advance(1);
    expect((await subscribeRetained(await joined(r), "com.example.t")).after).toEqual([]);
  });

  test("beyond maxTopics the topic retained longest ago is evicted", async () => {
    const { r } = realm({ retention: { maxTopics: 2, ttlMs: 0 } });
    const p = await joined(r);
    publish(p, "com.t.a", { retain: true }, ["a"]);
    publish(p, "com.t.b", { retain: true }, ["b"]);
    publish(p, "com.t.a", { retain: true }, ["a2"]); // refreshes a: b is now the oldest
    publish(p, "com.t.c", { retain: true }, ["c"]);
    const { after } = await subscribeRetained(await joined(r), "com.t.", { match: "prefix" });
    expect(after.map((m) => (m as Event).args)).toEqual([["a2"], ["c"]]);
  });
});

describe("broker: event history", () => {
  const eventHistory = [{ topic: "com.mycompany.log", match: "prefix" as const, limit: 3 }];

  test("history is kept from publish time and returned in the spec's shape, oldest first", async () => {
    const { r, clock } = realm({ eventHistory });
    const p = await joined(r);
    for (const n of [1, 2, 3, 4]) {
      publish(p, n % 2 ? "com.mycompany.log.auth" : "com.mycompany.log.basket", {}, [n]);
      await p.idle(0);
      clock.advance(1000);
    }
    const s = await joined(r);
    const prefix = await s.subscribe("com.mycompany.log", { match: "prefix" });
    const exact = await s.subscribe("com.mycompany.log.basket");
    const broker = r.router.realm("realm1")!.broker;
    const all = broker.history(prefix)!;
    expect(all.map((e) => e.args)).toEqual([[2], [3], [4]]);
    expect(all[0]).toEqual({
      timestamp: "2026-01-01T00:00:01.000Z", subscription: prefix, publication: expect.any(Number),
      details: { topic: "com.mycompany.log.basket" }, args: [2],
    });
    expect(broker.history(prefix, 1)!.map((e) => e.args)).toEqual([[4]]);
    // An exact subscription covered by the rule sees its own topic's events.
    expect(broker.history(exact)!.map((e) => [e.args, e.details])).toEqual([[[2], {}], [[4], {}]]);
    const other = await s.subscribe("com.other");
    expect(broker.history(other)).toBeUndefined();
    expect(broker.history(987654)).toBeUndefined();
  });

  test("publications with session id lists are not stored; authrole lists filter the reader", async () => {
    const { r } = realm({ eventHistory });
    const p = await joined(r);
    const s = await joined(r);
    const sub = await s.subscribe("com.mycompany.log", { match: "prefix" });
    publish(p, "com.mycompany.log.x", { eligible: [s.session] }, ["by-session"]);
    publish(p, "com.mycompany.log.x", { eligible_authrole: ["admin"] }, ["admins"]);
    publish(p, "com.mycompany.log.x", {}, ["all"]);
    await s.idle();
    const broker = r.router.realm("realm1")!.broker;
    const reader = r.router.realm("realm1")!.sessions.get(s.session)!;
    expect(broker.history(sub)!.map((e) => e.args)).toEqual([["admins"], ["all"]]);
    expect(broker.history(sub, undefined, reader)!.map((e) => e.args)).toEqual([["all"]]);
  });
});

describe("broker: session testament", () => {
  test("a leaving session's testaments are published by the router, detached before destroyed, in order added", async () => {
    const { r } = realm();
    const s = await joined(r);
    const sub = await s.subscribe("com.example.gone");
    const leaver = await joined(r);
    const rl = r.router.realm("realm1")!;
    const session = rl.sessions.get(leaver.session)!;
    rl.broker.addTestament(session, { topic: "com.example.gone", args: ["destroyed-1"], options: {}, scope: "destroyed" });
    rl.broker.addTestament(session, { topic: "com.example.gone", args: ["detached"], kwargs: { k: 1 }, options: { retain: true }, scope: "detached" });
    rl.broker.addTestament(session, { topic: "com.example.gone", args: ["destroyed-2"], options: { exclude: [s.session] }, scope: "destroyed" });
    leaver.peer.close();
    await leaver.waitClosed();
    const got = await s.idle();
    expect(got).toEqual([
      { type: T.EVENT, subscription: sub, publication: expect.any(Number), details: {}, args: ["detached"], kwargs: { k: 1 }, payload: undefined },
      { type: T.EVENT, subscription: sub, publication: expect.any(Number), details: {}, args: ["destroyed-1"], kwargs: undefined, payload: undefined },
    ]);
    // The retain option was honoured.
    expect((await subscribeRetained(await joined(r), "com.example.gone")).after.map((m) => (m as Event).args)).toEqual([["detached"]]);
  });

  test("a session the router terminates (meta API kill) has its testaments published too", async () => {
    const { r } = realm();
    const s = await joined(r);
    const sub = await s.subscribe("com.example.gone");
    const victim = await joined(r);
    const rl = r.router.realm("realm1")!;
    const session = rl.sessions.get(victim.session)!;
    rl.broker.addTestament(session, { topic: "com.example.gone", args: ["killed"], options: {}, scope: "destroyed" });
    session.terminate("wamp.close.killed");
    expect(await victim.nextOfType(T.GOODBYE)).toMatchObject({ reason: "wamp.close.killed" });
    expect(await s.nextOfType<Event>(T.EVENT)).toMatchObject({ subscription: sub, details: {}, args: ["killed"] });
  });

  test("flushTestaments drops one scope and says how many", async () => {
    const { r } = realm();
    const s = await joined(r);
    await s.subscribe("com.example.gone");
    const leaver = await joined(r);
    const rl = r.router.realm("realm1")!;
    const session = rl.sessions.get(leaver.session)!;
    rl.broker.addTestament(session, { topic: "com.example.gone", args: [1], options: {}, scope: "destroyed" });
    rl.broker.addTestament(session, { topic: "com.example.gone", args: [2], options: {}, scope: "destroyed" });
    rl.broker.addTestament(session, { topic: "com.example.gone", args: [3], options: {}, scope: "detached" });
    expect(rl.broker.flushTestaments(session, "destroyed")).toBe(2);
    expect(rl.broker.flushTestaments(session, "destroyed")).toBe(0);
    leaver.send({ type: T.GOODBYE, details: {}, reason: "wamp.close.normal" });
    await leaver.nextOfType(T.GOODBYE);
    expect((await s.idle()).map((m) => (m as Event).args)).toEqual([[3]]);
  });
});
