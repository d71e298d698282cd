import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Runtime } from "../../src/runtime/runtime.ts";
import type { RunningServer } from "../../src/server.ts";
import { connectRawSocket, connectWebSocket, linkedPeers } from "../../src/transport/mod.ts";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { ErrorMessage, Event, Invocation, Published } from "../../src/wamp/messages.ts";
import type { Peer } from "../../src/wamp/peer.ts";
import type { Serializer } from "../../src/wamp/serializer.ts";
import { serializers } from "../../src/wamp/serializers/mod.ts";
import { startTestServer } from "../_harness/in_process_server.ts";
import { MessageClient } from "../_harness/message_client.ts";

/**
 * The same RPC and pub/sub scenarios over every transport × serializer, against one router
 * listening on real sockets (port 0). Clients of different transports and serializers talk
 * to each other in the cross-transport scenario.
 */
let runtime: Runtime;
let server: RunningServer;
let wsUrl: string;
let rawPort: number;

beforeAll(async () => {
  ({ server, runtime, wsUrl, rawPort } = await startTestServer());
});

afterAll(async () => {
  await server?.stop();
});

type Connect = (s: Serializer) => Promise<Peer>;
const transports: [string, Connect][] = [
  ["in-memory", () => {
    const [client, routerSide] = linkedPeers();
    server.router.attach(routerSide);
    return Promise.resolve(client);
  }],
  ["websocket", (s) => connectWebSocket(wsUrl, s)],
  ["rawsocket", (s) => connectRawSocket("127.0.0.1", rawPort, s, { connect: runtime.connectTcp })],
];

async function session(connect: Connect, s: Serializer): Promise<MessageClient> {
  const c = new MessageClient(await connect(s));
  const w = await c.join("realm1");
  expect(w.type).toBe(T.WELCOME);
  return c;
}

let n = 0;
const uniq = (base: string) => `${base}.${++n}`;

for (const [transport, connect] of transports) {
  for (const s of serializers) {
    // The in-memory peer carries message objects: the serializer does not apply to it.
    if (transport === "in-memory" && s.name !== "json") continue;
    describe(`${transport} × ${transport === "in-memory" ? "objects" : s.name}`, () => {
      test("RPC: call, result with args and kwargs, application error, no_such_procedure", async () => {
        const callee = await session(connect, s);
        const caller = await session(connect, s);
        const proc = uniq("com.example.add");
        await callee.register(proc);
        const req = caller.call(proc, [2, 3], { unit: "m", big: 2 ** 53, text: "grüße, 日本語 ✓" });
        const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
        expect(inv.args).toEqual([2, 3]);
        expect(inv.kwargs).toEqual({ unit: "m", big: 2 ** 53, text: "grüße, 日本語 ✓" });
        callee.send({ type: T.YIELD, request: inv.request, options: {}, args: [5], kwargs: { unit: "m" } });
        expect(await caller.replyTo(req)).toMatchObject({ type: T.RESULT, request: req, args: [5], kwargs: { unit: "m" } });

        const failing = caller.call(proc, ["boom"]);
        const inv2 = await callee.nextOfType<Invocation>(T.INVOCATION);
        callee.send({ type: T.ERROR, requestType: T.INVOCATION, request: inv2.request, details: {}, error: "com.example.error.boom", args: ["no"] });
        expect(await caller.replyTo(failing)).toMatchObject({ type: T.ERROR, requestType: T.CALL, error: "com.example.error.boom", args: ["no"] });

        const missing = caller.call(uniq("com.example.missing"));
        expect((await caller.replyTo(missing) as ErrorMessage).error).toBe("wamp.error.no_such_procedure");
        callee.peer.close();
        caller.peer.close();
      });

      test("pub/sub: events to every subscriber, publisher excluded, acknowledge, binary payload", async () => {
        const sub1 = await session(connect, s);
        const sub2 = await session(connect, s);
        const pub = await session(connect, s);
        const topic = uniq("com.example.news");
        const id = await sub1.subscribe(topic);
        expect(await sub2.subscribe(topic)).toBe(id);
        await pub.subscribe(topic);
        const request = pub.request();
        pub.send({ type: T.PUBLISH, request, options: { acknowledge: true }, topic, args: ["hello"], kwargs: { n: 1 } });
        const ack = await pub.replyTo(request) as Published;
        expect(ack.type).toBe(T.PUBLISHED);
        for (const c of [sub1, sub2]) {
          const ev = await c.nextOfType<Event>(T.EVENT);
          expect(ev).toMatchObject({ subscription: id, publication: ack.publication, args: ["hello"], kwargs: { n: 1 } });
        }
        expect(await pub.idle(30)).toEqual([]);
        const bytes = new Uint8Array([0, 1, 2, 250]);
        pub.send({ type: T.PUBLISH, request: pub.request(), options: {}, topic, args: [bytes] });
        const ev = await sub1.nextOfType<Event>(T.EVENT);
        expect(ev.args![0]).toEqual(bytes);
        for (const c of [sub1, sub2, pub]) c.peer.close();
      });
    });
  }
}

describe("across transports and serializers", () => {
  test("a JSON WebSocket caller reaches a CBOR RawSocket callee; a msgpack subscriber hears a JSON publisher", async () => {
    const [json, msgpack, cbor] = serializers;
    const callee = await session(transports[2][1], cbor);
    const caller = await session(transports[1][1], json);
    const proc = uniq("com.example.mixed");
    await callee.register(proc);
    const req = caller.call(proc, [new Uint8Array([7, 8])]);
    const inv = await callee.nextOfType<Invocation>(T.INVOCATION);
    expect(inv.args![0]).toEqual(new Uint8Array([7, 8]));
    callee.send({ type: T.YIELD, request: inv.request, options: {}, args: ["ok", 1.5] });
    expect(await caller.replyTo(req)).toMatchObject({ type: T.RESULT, args: ["ok", 1.5] });

    const sub = await session(transports[2][1], msgpack);
    const topic = uniq("com.example.mixed");
    await sub.subscribe(topic);
    const subWs = await session(transports[1][1], cbor);
    await subWs.subscribe(topic);
    caller.send({ type: T.PUBLISH, request: caller.request(), options: {}, topic, kwargs: { a: [1, { b: null }] } });
    expect(await sub.nextOfType(T.EVENT)).toMatchObject({ kwargs: { a: [1, { b: null }] } });
    expect(await subWs.nextOfType(T.EVENT)).toMatchObject({ kwargs: { a: [1, { b: null }] } });
    for (const c of [callee, caller, sub, subWs]) c.peer.close();
  });
});
