import { describe, expect, test } from "bun:test";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import { createManualClock } from "../../src/util/clock.ts";
import { joined, metaCall, metaResult, metaRouter, metaWatcher, settle } from "./meta_harness.ts";

const EPOCH = "1970-01-01T00:00:00.000Z"; // the manual clock starts at 0
const SUB_EVENTS = ["wamp.subscription.on_create", "wamp.subscription.on_subscribe", "wamp.subscription.on_unsubscribe", "wamp.subscription.on_delete"];

describe("subscription meta events", () => {
  test("the first SUBSCRIBE fires on_create then on_subscribe; a second subscriber only on_subscribe", async () => {
    const r = await metaRouter();
    const watcher = await joined(r);
    const watch = await metaWatcher(watcher, SUB_EVENTS);
    const a = await joined(r);
    const b = await joined(r);
    const id = await a.subscribe("com.example.", { match: "prefix" });
    await b.subscribe("com.example.", { match: "prefix" });
    expect(await watch.events()).toEqual([
      ["wamp.subscription.on_create", [a.session, { id, created: EPOCH, uri: "com.example.", match: "prefix" }]],
      ["wamp.subscription.on_subscribe", [a.session, id]],
      ["wamp.subscription.on_subscribe", [b.session, id]],
    ]);
  });

  test("a leaving last subscriber fires on_unsubscribe, on_delete, then on_leave", async () => {
    const r = await metaRouter();
    const watcher = await joined(r);
    const a = await joined(r);
    const id = await a.subscribe("com.example.topic");
    const watch = await metaWatcher(watcher, [...SUB_EVENTS, "wamp.session.on_leave"]);
    a.send({ type: T.GOODBYE, details: {}, reason: "wamp.close.close_realm" });
    await a.nextOfType(T.GOODBYE);
    const events = await watch.events();
    expect(events.slice(0, 2)).toEqual([
      ["wamp.subscription.on_unsubscribe", [a.session, id]],
      ["wamp.subscription.on_delete", [a.session, id]],
    ]);
    expect(events[2][0]).toBe("wamp.session.on_leave");
    expect(events.length).toBe(3);
  });

  test("the watcher's own subscriptions to meta topics are reported like any other", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const watch = await metaWatcher(a, SUB_EVENTS);
    const id = await a.subscribe("wamp.session.on_join");
    expect((await watch.events()).map(([t]) => t)).toEqual(["wamp.subscription.on_create", "wamp.subscription.on_subscribe"]);
    expect(await metaResult(a, "wamp.subscription.lookup", ["wamp.session.on_join"])).toEqual([id]);
  });
});

describe("subscription meta procedures", () => {
  test("list, lookup, match, get, list_subscribers and count_subscribers", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const b = await joined(r);
    const exact = await a.subscribe("com.example.topic");
    await b.subscribe("com.example.topic");
    const prefix = await a.subscribe("com.example.", { match: "prefix" });
    const wildcard = await a.subscribe("com..topic", { match: "wildcard" });
    expect(await metaResult(a, "wamp.subscription.list")).toEqual([{ exact: [exact], prefix: [prefix], wildcard: [wildcard] }]);
    expect(await metaResult(a, "wamp.subscription.lookup", ["com..topic", { match: "wildcard" }])).toEqual([wildcard]);
    expect(await metaResult(a, "wamp.subscription.lookup", ["com.other"])).toEqual([null]);
    const [matched] = await metaResult(a, "wamp.subscription.match", ["com.example.topic"]) as [number[]];
    expect(matched.sort()).toEqual([exact, prefix, wildcard].sort());
    expect(await metaResult(a, "wamp.subscription.match", ["org.nothing"])).toEqual([null]);
    expect(await metaResult(a, "wamp.subscription.get", [exact])).toEqual([{ id: exact, created: EPOCH, uri: "com.example.topic", match: "exact" }]);
    const [subs] = await metaResult(a, "wamp.subscription.list_subscribers", [exact]) as [number[]];
    expect(subs.sort()).toEqual([a.session, b.session].sort());
    expect(await metaResult(a, "wamp.subscription.count_subscribers", [exact])).toEqual([2]);
  });

  test("unknown subscription ids are wamp.error.no_such_subscription", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    for (const p of ["wamp.subscription.get", "wamp.subscription.list_subscribers", "wamp.subscription.count_subscribers", "wamp.subscription.remove", "wamp.subscription.get_events"]) {
      const request = a.call(p, [777]);
      expect(await a.replyTo(request)).toEqual({
        type: T.ERROR, requestType: T.CALL, request, details: {}, error: "wamp.error.no_such_subscription",
        args: ["no subscription 777 on this realm"],
      });
    }
  });

  test("remove revokes a subscriber: UNSUBSCRIBED with the reason to a subscriber announcing subscription_revocation", async () => {
    const r = await metaRouter();
    const admin = await joined(r);
    const sub = r.connect();
    await sub.join("realm1", { roles: { subscriber: { features: { subscription_revocation: true } } } });
    const id = await sub.subscribe("com.example.topic");
    const watch = await metaWatcher(admin, SUB_EVENTS);
    expect(await metaResult(admin, "wamp.subscription.remove", [id, sub.session], { reason: "moderated" })).toEqual([]);
    expect(await sub.nextOfType(T.UNSUBSCRIBED)).toEqual({ type: T.UNSUBSCRIBED, request: 0, details: { subscription: id, reason: "moderated" } });
    expect(await watch.events()).toEqual([
      ["wamp.subscription.on_unsubscribe", [sub.session, id]],
      ["wamp.subscription.on_delete", [sub.session, id]],
    ]);
  });

  test("get_events returns the stored events and honours limit, reverse and publication bounds", async () => {
    const clock = createManualClock(1_000);
    const r = await metaRouter({ clock, realms: [{ name: "realm1", eventHistory: [{ topic: "com.example.log", match: "exact", limit: 10 }] }] });
    const a = await joined(r);
    const id = await a.subscribe("com.example.log");
    const pubs: number[] = [];
    for (const n of [1, 2, 3]) {
      const request = a.request();
      a.send({ type: T.PUBLISH, request, options: { acknowledge: true }, topic: "com.example.log", args: [n] });
      pubs.push(((await a.replyTo(request)) as { publication: number }).publication);
    }
    const entry = (i: number) => ({ timestamp: new Date(1_000).toISOString(), subscription: id, publication: pubs[i], details: {}, args: [i + 1] });
    expect(await metaResult(a, "wamp.subscription.get_events", [id])).toEqual([[entry(0), entry(1), entry(2)]]);
    expect(await metaResult(a, "wamp.subscription.get_events", [id], { limit: 2 })).toEqual([[entry(0), entry(1)]]);
    expect(await metaResult(a, "wamp.subscription.get_events", [id], { reverse: true, limit: 1 })).toEqual([[entry(2)]]);
    expect(await metaResult(a, "wamp.subscription.get_events", [id], { after_publication: pubs[0] })).toEqual([[entry(1), entry(2)]]);
    expect(await metaResult(a, "wamp.subscription.get_events", [id], { until_publication: pubs[1] })).toEqual([[entry(0), entry(1)]]);
    expect(await metaCall(a, "wamp.subscription.get_events", [id], { limit: 0 })).toMatchObject({ type: T.ERROR, error: "wamp.error.invalid_argument" });
  });

  test("get_events on a topic without configured history is wamp.error.invalid_argument", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    const id = await a.subscribe("com.example.topic");
    expect(await metaCall(a, "wamp.subscription.get_events", [id])).toMatchObject({ type: T.ERROR, error: "wamp.error.invalid_argument" });
  });
});

describe("testament meta procedures", () => {
  test("add_testament publishes on the calling session's leave; flush_testaments drops a scope", async () => {
    const r = await metaRouter();
    const watcher = await joined(r);
    const sid = await watcher.subscribe("com.example.gone");
    const a = await joined(r);
    expect(await metaResult(a, "wamp.session.add_testament", ["com.example.gone", ["detached"], {}], { scope: "detached" })).toEqual([]);
    await metaResult(a, "wamp.session.add_testament", ["com.example.gone", ["flushed"], { n: 1 }]);
    await metaResult(a, "wamp.session.flush_testaments");
    await metaResult(a, "wamp.session.add_testament", ["com.example.gone", ["destroyed"], { who: a.session }]);
    a.peer.close();
    const first = await watcher.nextOfType(T.EVENT);
    const second = await watcher.nextOfType(T.EVENT);
    expect(first).toMatchObject({ type: T.EVENT, subscription: sid, details: {}, args: ["detached"] });
    expect(second).toMatchObject({ type: T.EVENT, subscription: sid, details: {}, args: ["destroyed"], kwargs: { who: a.session } });
    await settle();
    expect(watcher.received.filter((m) => m.type === T.EVENT)).toEqual([]);
  });

  test("add_testament checks its arguments", async () => {
    const r = await metaRouter();
    const a = await joined(r);
    expect(await metaCall(a, "wamp.session.add_testament", [42])).toMatchObject({ type: T.ERROR, error: "wamp.error.invalid_argument" });
    expect(await metaCall(a, "wamp.session.add_testament", ["t", "x"])).toMatchObject({ type: T.ERROR, error: "wamp.error.invalid_argument" });
    expect(await metaCall(a, "wamp.session.add_testament", ["t"], { scope: "forever" })).toMatchObject({ type: T.ERROR, error: "wamp.error.invalid_argument" });
    expect(await metaCall(a, "wamp.session.flush_testaments", [], { scope: "detached" })).toMatchObject({ type: T.RESULT, args: [] });
  });
});
