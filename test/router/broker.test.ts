import { describe, expect, test } from "bun:test";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Event, Published } from "../../src/wamp/messages.ts";
import { joined, localRouter } from "../_harness/local_router.ts";

describe("broker", () => {
  test("a publication reaches every subscriber but not the publisher", async () => {
    const r = localRouter();
    const s1 = await joined(r);
    const s2 = await joined(r);
    const pub = await joined(r);
    const sub1 = await s1.subscribe("com.example.t");
    const sub2 = await s2.subscribe("com.example.t");
    await pub.subscribe("com.example.t");
    // One subscription id per topic, shared by its subscribers.
    expect(sub2).toBe(sub1);
    pub.send({ type: T.PUBLISH, request: pub.request(), options: {}, topic: "com.example.t", args: ["hi"], kwargs: { n: 1 } });
    const e1 = await s1.nextOfType<Event>(T.EVENT);
    const e2 = await s2.nextOfType<Event>(T.EVENT);
    expect(e1).toMatchObject({ subscription: sub1, details: {}, args: ["hi"], kwargs: { n: 1 } });
    expect(e2.publication).toBe(e1.publication);
    // The same EVENT object goes to every subscriber (the transports encode it once).
    expect(e2).toBe(e1);
    expect(await pub.idle()).toEqual([]);
  });

  test("exclude_me false delivers to the publisher too (spec test vector sequence)", async () => {
    const r = localRouter();
    const c = await joined(r);
    const sub = await c.subscribe("com.myapp.topic1");
    c.send({ type: T.PUBLISH, request: 789, options: { exclude_me: false }, topic: "com.myapp.topic1", args: ["Hello, world!"] });
    expect(await c.nextOfType(T.EVENT)).toMatchObject({ subscription: sub, details: {}, args: ["Hello, world!"] });
  });

  test("acknowledge returns PUBLISHED with the publication id the events carry", async () => {
    const r = localRouter();
    const s = await joined(r);
    const p = await joined(r);
    await s.subscribe("com.example.t");
    const request = p.request();
    p.send({ type: T.PUBLISH, request, options: { acknowledge: true }, topic: "com.example.t" });
    const ack = await p.replyTo(request) as Published;
    expect(ack.type).toBe(T.PUBLISHED);
    const ev = await s.nextOfType<Event>(T.EVENT);
    expect(ev.publication).toBe(ack.publication);
    expect(ack.publication >= 1 && ack.publication <= 2 ** 53).toBe(true);
  });

  test("publishing to an invalid URI: ERROR only when acknowledge was asked", async () => {
    const r = localRouter();
    const p = await joined(r);
    p.send({ type: T.PUBLISH, request: p.request(), options: {}, topic: "bad..topic" });
    expect(await p.idle()).toEqual([]);
    const request = p.request();
    p.send({ type: T.PUBLISH, request, options: { acknowledge: true }, topic: "bad..topic" });
    expect(await p.replyTo(request)).toMatchObject({ type: T.ERROR, requestType: T.PUBLISH, error: "wamp.error.invalid_uri" });
  });

  test("unsubscribe stops events; the subscription goes when its last subscriber leaves", async () => {
    const r = localRouter();
    const s = await joined(r);
    const p = await joined(r);
    const sub = await s.subscribe("com.example.t");
    let request = s.request();
    s.send({ type: T.UNSUBSCRIBE, request, subscription: sub });
    expect(await s.replyTo(request)).toEqual({ type: T.UNSUBSCRIBED, request });
    expect(r.router.realm("realm1")!.broker.subscriptionCount).toBe(0);
    p.send({ type: T.PUBLISH, request: p.request(), options: {}, topic: "com.example.t" });
    expect(await s.idle()).toEqual([]);
    request = s.request();
    s.send({ type: T.UNSUBSCRIBE, request, subscription: sub });
    expect(await s.replyTo(request)).toMatchObject({ type: T.ERROR, error: "wamp.error.no_such_subscription" });
  });

  test("subscribing twice returns the same subscription id", async () => {
    const r = localRouter();
    const s = await joined(r);
    expect(await s.subscribe("com.example.t")).toBe(await s.subscribe("com.example.t"));
  });

  test("a leaving subscriber's subscriptions are removed", async () => {
    const r = localRouter();
    const s = await joined(r);
    await s.subscribe("com.example.a");
    await s.subscribe("com.example.b");
    s.peer.close();
    await s.waitClosed();
    await new Promise((res) => setTimeout(res, 0));
    expect(r.router.realm("realm1")!.broker.subscriptionCount).toBe(0);
  });

  test("an invalid topic pattern is refused with invalid_uri", async () => {
    const r = localRouter();
    const s = await joined(r);
    const request = s.request();
    // Empty components are wildcards only under match "wildcard".
    s.send({ type: T.SUBSCRIBE, request, options: {}, topic: "com..t" });
    expect(await s.replyTo(request)).toMatchObject({ type: T.ERROR, error: "wamp.error.invalid_uri" });
  });

  test("a binary payload (payload passthru) is delivered untouched", async () => {
    const r = localRouter();
    const s = await joined(r);
    const p = await joined(r);
    await s.subscribe("com.example.t");
    const payload = new Uint8Array([0, 255, 7]);
    p.send({ type: T.PUBLISH, request: p.request(), options: {}, topic: "com.example.t", payload });
    expect((await s.nextOfType<Event>(T.EVENT)).payload).toEqual(payload);
  });
});
