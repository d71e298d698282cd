import { afterEach, describe, expect, test } from "bun:test";
import { type Event, MessageType as T } from "../../src/wamp/mod.ts";
import { MessageClient } from "../_harness/message_client.ts";
import { bridged, type Pair, settle, until } from "./_realm_bridge_harness.ts";

let pair: Pair | undefined;
afterEach(async () => {
  await pair?.stop();
  pair = undefined;
});

const exportTelemetry = { exportTopics: [{ uri: "com.acme.telemetry.", match: "prefix" as const }] };
const importCmds = { importTopics: [{ uri: "com.acme.cmd.", match: "prefix" as const }] };

function publish(c: MessageClient, topic: string, args: unknown[], options: Record<string, unknown> = {}): void {
  c.send({ type: T.PUBLISH, request: c.request(), options, topic, args });
}

/** EVENTs that arrived for `c` (awaited ones excluded) after deliveries settle. */
async function events(c: MessageClient): Promise<Event[]> {
  await settle();
  return (await c.idle(5)).filter((m): m is Event => m.type === T.EVENT);
}

describe("RealmBridge: export topics (edge publisher -> core subscriber)", () => {
  test("re-published on the core only while someone there subscribes; publisher in forward_for", async () => {
    pair = await bridged(exportTelemetry);
    await pair.up();
    const pub = await pair.edgeClient();
    publish(pub, "com.acme.telemetry.t1", [1]); // nobody on the core listens yet
    await settle();
    expect(pair.bridge.status().forwarded.eventsOut).toBe(0);

    const sub = await pair.coreClient();
    await sub.subscribe("com.acme.telemetry.", { match: "prefix" });
    await settle(); // the core's on_create/on_subscribe meta events reach the bridge
    publish(pub, "com.acme.telemetry.t1", [2], { exclude_me: true });
    publish(pub, "com.acme.other", [3]); // outside the export filter
    const ev = await sub.nextOfType<Event>(T.EVENT);
    expect(ev.args).toEqual([2]);
    expect(ev.details.topic).toBe("com.acme.telemetry.t1");
    const who = pair.edge.realm("site")!.sessions.get(pub.session)!;
    expect(ev.details.forward_for).toEqual([{ session: pub.session, authid: who.authid, authrole: "anonymous" }]);
    expect(await events(sub)).toEqual([]);
    expect(pair.bridge.status().forwarded.eventsOut).toBe(1);

    sub.peer.close(); // interest gone
    await settle();
    publish(pub, "com.acme.telemetry.t1", [4]);
    await settle();
    expect(pair.bridge.status().forwarded.eventsOut).toBe(1);
    expect(pair.bridge.status().exportedTopics).toEqual(["com.acme.telemetry."]);
  });

  test("subscriptions that existed on the core before connect count as interest", async () => {
    pair = await bridged(exportTelemetry);
    const sub = await pair.coreClient();
    await sub.subscribe("com.acme.telemetry.t1");
    await pair.up();
    const pub = await pair.edgeClient();
    publish(pub, "com.acme.telemetry.t1", ["x"]);
    expect((await sub.nextOfType<Event>(T.EVENT)).args).toEqual(["x"]);
  });

  test("while down publications are buffered and delivered in order after connect(newPeer)", async () => {
    pair = await bridged(exportTelemetry);
    const sub = await pair.coreClient();
    await sub.subscribe("com.acme.telemetry.t1");
    const first = await pair.up();
    const pub = await pair.edgeClient();
    publish(pub, "com.acme.telemetry.t1", [0]);
    expect((await sub.nextOfType<Event>(T.EVENT)).args).toEqual([0]);

    pair.down(first);
    for (let i = 1; i <= 5; i++) publish(pub, "com.acme.telemetry.t1", [i]);
    await settle();
    expect(pair.bridge.status().bufferDepth).toBe(5);
    expect(await events(sub)).toEqual([]);

    await pair.up();
    const got: unknown[] = [];
    for (let i = 0; i < 5; i++) got.push((await sub.nextOfType<Event>(T.EVENT)).args?.[0]);
    expect(got).toEqual([1, 2, 3, 4, 5]);
    expect(pair.bridge.status().bufferDepth).toBe(0);
    // live again, after the buffered ones
    publish(pub, "com.acme.telemetry.t1", [6]);
    expect((await sub.nextOfType<Event>(T.EVENT)).args).toEqual([6]);
  });

  test("the buffer is bounded: drop_oldest keeps the newest, counted", async () => {
    pair = await bridged({ ...exportTelemetry, buffer: { maxMessages: 3, overflow: "drop_oldest" } });
    const sub = await pair.coreClient();
    await sub.subscribe("com.acme.telemetry.t1");
    const pub = await pair.edgeClient();
    for (let i = 1; i <= 5; i++) publish(pub, "com.acme.telemetry.t1", [i]);
    await settle();
    expect(pair.bridge.status().bufferDropped).toBe(2);
    expect(pair.counters.get("edge_buffer_dropped:site")).toBe(2);
    await pair.up();
    const got: unknown[] = [];
    for (let i = 0; i < 3; i++) got.push((await sub.nextOfType<Event>(T.EVENT)).args?.[0]);
    expect(got).toEqual([3, 4, 5]);
  });

  test("drop_newest keeps the oldest", async () => {
    pair = await bridged({ ...exportTelemetry, buffer: { maxMessages: 2, overflow: "drop_newest" } });
    const sub = await pair.coreClient();
    await sub.subscribe("com.acme.telemetry.t1");
    const pub = await pair.edgeClient();
    for (let i = 1; i <= 4; i++) publish(pub, "com.acme.telemetry.t1", [i]);
    await settle();
    await pair.up();
    const got: unknown[] = [];
    for (let i = 0; i < 2; i++) got.push((await sub.nextOfType<Event>(T.EVENT)).args?.[0]);
    expect(got).toEqual([1, 2]);
    expect(await events(sub)).toEqual([]);
    expect(pair.bridge.status().bufferDropped).toBe(2);
  });

  test("without the core's meta API every exported publication is sent", async () => {
    pair = await bridged(exportTelemetry, { linkPeers: undefined });
    await pair.up();
    const pub = await pair.edgeClient();
    publish(pub, "com.acme.telemetry.t1", [1]);
    await until(() => pair!.bridge.status().forwarded.eventsOut === 1, "sent without known interest");
  });
});

describe("RealmBridge: import topics (core publisher -> edge subscriber)", () => {
  test("the core subscription follows local subscriptions; publisher in forward_for", async () => {
    pair = await bridged(importCmds);
    await pair.up();
    const broker = pair.core.realm("core1")!.broker;
    expect(broker.match("com.acme.cmd.reboot")).toEqual([]);

    const sub = await pair.edgeClient();
    const id = await sub.subscribe("com.acme.cmd.reboot");
    await until(() => broker.match("com.acme.cmd.reboot").length === 1, "subscribed on the core");
    expect(pair.bridge.status().importedTopics).toEqual(["com.acme.cmd.reboot"]);

    const pub = await pair.coreClient();
    publish(pub, "com.acme.cmd.reboot", ["now"], { disclose_me: true });
    const ev = await sub.nextOfType<Event>(T.EVENT);
    expect(ev.args).toEqual(["now"]);
    const who = pair.core.realm("core1")!.sessions.get(pub.session)!;
    expect(ev.details.forward_for).toEqual([{ session: pub.session, authid: who.authid, authrole: "anonymous" }]);

    sub.send({ type: T.UNSUBSCRIBE, request: sub.request(), subscription: id });
    await until(() => broker.match("com.acme.cmd.reboot").length === 0, "unsubscribed on the core");
  });

  test("a local subscription wider than the filter subscribes to the filter; only filtered topics cross", async () => {
    pair = await bridged(importCmds);
    await pair.up();
    const broker = pair.core.realm("core1")!.broker;
    const sub = await pair.edgeClient();
    await sub.subscribe("com.acme.", { match: "prefix" });
    await until(() => broker.lookup("com.acme.cmd.", "prefix") !== undefined, "filter subscribed on the core");
    expect(broker.lookup("com.acme.", "prefix")).toBeUndefined();
    const pub = await pair.coreClient();
    publish(pub, "com.acme.cmd.x", [1]);
    publish(pub, "com.acme.status", [2]); // not imported
    expect((await sub.nextOfType<Event>(T.EVENT)).args).toEqual([1]);
    expect(await events(sub)).toEqual([]);
  });

  test("interest is refcounted across local subscribers and re-established after reconnect", async () => {
    pair = await bridged(importCmds);
    const first = await pair.up();
    const broker = pair.core.realm("core1")!.broker;
    const a = await pair.edgeClient();
    const b = await pair.edgeClient();
    await a.subscribe("com.acme.cmd.", { match: "prefix" });
    await b.subscribe("com.acme.cmd.x");
    await until(() => broker.match("com.acme.cmd.x").length === 2, "both on the core");
    a.peer.close();
    await until(() => broker.match("com.acme.cmd.x").length === 1, "prefix interest released");

    pair.down(first);
    await until(() => broker.match("com.acme.cmd.x").length === 0, "gone with the session");
    await pair.up();
    expect(broker.match("com.acme.cmd.x").length).toBe(1);
    const pub = await pair.coreClient();
    publish(pub, "com.acme.cmd.x", ["again"]);
    expect((await b.nextOfType<Event>(T.EVENT)).args).toEqual(["again"]);
  });
});

describe("RealmBridge: loops and echoes", () => {
  test("a topic bridged both ways never echoes", async () => {
    const both = [{ uri: "com.acme.both.", match: "prefix" as const }];
    pair = await bridged({ exportTopics: both, importTopics: both });
    await pair.up();
    const edgeSub = await pair.edgeClient();
    await edgeSub.subscribe("com.acme.both.t");
    const coreSub = await pair.coreClient();
    await coreSub.subscribe("com.acme.both.t");
    await settle();
    const edgePub = await pair.edgeClient();
    const corePub = await pair.coreClient();

    publish(edgePub, "com.acme.both.t", ["from-edge"]);
    publish(corePub, "com.acme.both.t", ["from-core"]);
    await settle(10);
    const atEdge = (await events(edgeSub)).map((e) => e.args?.[0]).sort();
    const atCore = (await events(coreSub)).map((e) => e.args?.[0]).sort();
    expect(atEdge).toEqual(["from-core", "from-edge"]);
    expect(atCore).toEqual(["from-core", "from-edge"]);
    expect(await events(edgePub)).toEqual([]);
    expect(await events(corePub)).toEqual([]);
    const st = pair.bridge.status();
    expect([st.forwarded.eventsOut, st.forwarded.eventsIn]).toEqual([1, 1]);
  });

  test("the bridge's own import subscription on the core is not interest for its exports", async () => {
    const both = [{ uri: "com.acme.both.", match: "prefix" as const }];
    pair = await bridged({ exportTopics: both, importTopics: both });
    await pair.up();
    const edgeSub = await pair.edgeClient();
    await edgeSub.subscribe("com.acme.both.t"); // makes the bridge subscribe on the core
    await until(() => pair!.core.realm("core1")!.broker.match("com.acme.both.t").length === 1, "import interest on the core");
    await settle();
    const edgePub = await pair.edgeClient();
    publish(edgePub, "com.acme.both.t", [1]);
    expect((await edgeSub.nextOfType<Event>(T.EVENT)).args).toEqual([1]); // local delivery as usual
    await settle();
    expect(pair.bridge.status().forwarded.eventsOut).toBe(0);
  });

  test("a core event whose forward_for names a local session started here and is not published back", async () => {
    pair = await bridged(importCmds);
    await pair.up();
    const sub = await pair.edgeClient();
    await sub.subscribe("com.acme.cmd.x");
    await until(() => pair!.core.realm("core1")!.broker.match("com.acme.cmd.x").length === 1, "import interest");
    // Another edge-transport session on the core vouches for a session of our local realm.
    const relay = new MessageClient(pair.link());
    await relay.join("core1");
    const hop = { session: sub.session, authid: "x", authrole: "y" };
    relay.send({ type: T.PUBLISH, request: relay.request(), options: { forward_for: [hop] }, topic: "com.acme.cmd.x", args: ["looped"] });
    relay.send({ type: T.PUBLISH, request: relay.request(), options: {}, topic: "com.acme.cmd.x", args: ["fresh"] });
    expect((await sub.nextOfType<Event>(T.EVENT)).args).toEqual(["fresh"]);
    expect(await events(sub)).toEqual([]);
  });

  test("the bridge's own registrations and subscriptions are never exported or imported again", async () => {
    const all = [{ uri: "com.acme.", match: "prefix" as const }];
    pair = await bridged({ exportProcedures: all, importProcedures: all, exportTopics: all, importTopics: all });
    await pair.up();
    await settle();
    const st = pair.bridge.status();
    // the import registration com.acme. (prefix) is the bridge's own: not exported to the core
    expect(st.importedProcedures).toEqual(["com.acme."]);
    expect(st.exportedProcedures).toEqual([]);
    // the export subscription com.acme. (prefix) is the bridge's own: no import interest on the core
    expect(st.exportedTopics).toEqual(["com.acme."]);
    expect(st.importedTopics).toEqual([]);
    const realm = pair.core.realm("core1")!;
    expect(realm.dealer.lookup("com.acme.", "prefix")).toBeUndefined();
    expect(realm.broker.lookup("com.acme.", "prefix")).toBeUndefined();
  });

  test("overlapping export filters forward one publication once", async () => {
    pair = await bridged({ exportTopics: [{ uri: "com.acme.", match: "prefix" }, { uri: "com.acme.t", match: "exact" }] });
    const sub = await pair.coreClient();
    await sub.subscribe("com.acme.t");
    await pair.up();
    const pub = await pair.edgeClient();
    publish(pub, "com.acme.t", [1]);
    expect((await sub.nextOfType<Event>(T.EVENT)).args).toEqual([1]);
    expect(await events(sub)).toEqual([]);
  });
});
