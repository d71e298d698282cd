// WAMP "Router-to-Router Links" forward_for: passed on from router-internal sessions and edge
// link channels (transport "edge"), dropped from any other client so nobody can claim to call
// or publish on behalf of someone else.
import { describe, expect, test } from "bun:test";
import { createRouter } from "../../src/router/mod.ts";
import { linkedPeers } from "../../src/transport/mod.ts";
import { type Event, fromArray, type Invocation, MessageType as T } from "../../src/wamp/mod.ts";
import { MessageClient } from "../_harness/message_client.ts";

const HOP = [{ session: 123456, authid: "device-7", authrole: "sensor" }];

async function setup() {
  const router = createRouter({ realms: [{ name: "realm1" }] });
  const attach = async (transport: string, internal = false) => {
    const [mine, theirs] = linkedPeers({ details: { transport } });
    router.attach(theirs, { internal });
    const c = new MessageClient(mine);
    const w = await c.join("realm1");
    if (w.type !== T.WELCOME) throw new Error(`join failed: ${JSON.stringify(w)}`);
    return c;
  };
  const callee = await attach("local");
  await callee.register("com.example.proc");
  const subscriber = await attach("local");
  await subscriber.subscribe("com.example.topic");
  return { attach, callee, subscriber };
}

async function forwardedOnCall(from: MessageClient, callee: MessageClient, disclose: boolean) {
  from.call("com.example.proc", [], undefined, { forward_for: HOP, ...(disclose ? { disclose_me: true } : {}) });
  return (await callee.nextOfType<Invocation>(T.INVOCATION)).details;
}

async function forwardedOnPublish(from: MessageClient, subscriber: MessageClient, disclose: boolean) {
  from.send({ type: T.PUBLISH, request: from.request(), options: { forward_for: HOP, ...(disclose ? { disclose_me: true } : {}) }, topic: "com.example.topic", args: [1] });
  return (await subscriber.nextOfType<Event>(T.EVENT)).details;
}

describe("forward_for", () => {
  test("from an edge link channel it reaches INVOCATION.Details and EVENT.Details, disclosed or not", async () => {
    const { attach, callee, subscriber } = await setup();
    const edge = await attach("edge");
    expect((await forwardedOnCall(edge, callee, false)).forward_for).toEqual(HOP);
    const disclosed = await forwardedOnCall(edge, callee, true);
    expect(disclosed.forward_for).toEqual(HOP);
    expect(disclosed.caller).toBe(edge.session);
    expect((await forwardedOnPublish(edge, subscriber, false)).forward_for).toEqual(HOP);
    const ev = await forwardedOnPublish(edge, subscriber, true);
    expect([ev.forward_for, ev.publisher]).toEqual([HOP, edge.session]);
  });

  test("from a router-internal session it is passed on too", async () => {
    const { attach, callee, subscriber } = await setup();
    const internal = await attach("local", true);
    expect((await forwardedOnCall(internal, callee, false)).forward_for).toEqual(HOP);
    expect((await forwardedOnPublish(internal, subscriber, false)).forward_for).toEqual(HOP);
  });

  test("from an ordinary client (websocket, rawsocket, local) it is dropped", async () => {
    const { attach, callee, subscriber } = await setup();
    for (const transport of ["websocket", "rawsocket", "local"]) {
      const client = await attach(transport);
      expect((await forwardedOnCall(client, callee, false)).forward_for).toBeUndefined();
      const d = await forwardedOnCall(client, callee, true);
      expect(d.forward_for).toBeUndefined();
      expect(d.caller).toBe(client.session);
      expect((await forwardedOnPublish(client, subscriber, false)).forward_for).toBeUndefined();
      expect(await forwardedOnPublish(client, subscriber, false)).toEqual({});
    }
  });

  test("a malformed forward_for is refused by the codec before it reaches the router", () => {
    expect(() => fromArray([T.CALL, 1, { forward_for: [{ session: "x" }] }, "com.example.proc"])).toThrow(/forward_for/);
    expect(() => fromArray([T.PUBLISH, 1, { forward_for: {} }, "com.example.topic"])).toThrow(/forward_for/);
    expect(fromArray([T.CALL, 1, { forward_for: HOP }, "com.example.proc"])).toMatchObject({ options: { forward_for: HOP } });
  });

  test("internal subscribers learn the publisher without disclose_me; others do not", async () => {
    const { attach, subscriber } = await setup();
    const internalSub = await attach("local", true);
    await internalSub.subscribe("com.example.topic");
    const pub = await attach("local");
    pub.send({ type: T.PUBLISH, request: pub.request(), options: {}, topic: "com.example.topic", args: [1] });
    const inside = await internalSub.nextOfType<Event>(T.EVENT);
    expect([inside.details.publisher, typeof inside.details.publisher_authid, inside.details.publisher_authrole]).toEqual([pub.session, "string", "anonymous"]);
    expect((await subscriber.nextOfType<Event>(T.EVENT)).details).toEqual({});
  });
});

describe("dealer: internal callees (the edge bridge)", () => {
  test("an internal callee's wamp.error.unavailable reaches the caller as it is (no re-routing)", async () => {
    const router = createRouter({ realms: [{ name: "realm1" }] });
    const join = async (internal: boolean) => {
      const [mine, theirs] = linkedPeers();
      router.attach(theirs, { internal });
      const c = new MessageClient(mine);
      await c.join("realm1");
      return c;
    };
    const bridge = await join(true);
    await bridge.register("com.example.remote");
    const plain = await join(false);
    await plain.register("com.example.local");
    const caller = await join(false);

    const r1 = caller.call("com.example.remote");
    const inv1 = await bridge.nextOfType<Invocation>(T.INVOCATION);
    bridge.send({ type: T.ERROR, requestType: T.INVOCATION, request: inv1.request, details: {}, error: "wamp.error.unavailable", args: ["uplink down"] });
    expect(await caller.replyTo(r1)).toMatchObject({ type: T.ERROR, error: "wamp.error.unavailable", args: ["uplink down"] });

    // an ordinary callee still gets the spec's Call Re-Routing
    const r2 = caller.call("com.example.local");
    const inv2 = await plain.nextOfType<Invocation>(T.INVOCATION);
    plain.send({ type: T.ERROR, requestType: T.INVOCATION, request: inv2.request, details: {}, error: "wamp.error.unavailable" });
    expect(await caller.replyTo(r2)).toMatchObject({ type: T.ERROR, error: "wamp.error.no_available_callee" });
  });
});
