/**
 * A first, quick measurement (not the full benchmark suite): against a router you started
 * (`bun mod.ts`), one caller keeps N calls in flight to one callee, then one publisher sends to
 * S subscribers, each for a fixed time, over WebSocket with the chosen serializer.
 *
 *   bun bench/rpc_pubsub_quick.ts [ws-url] [serializer] [seconds]
 *
 * Clients run in this process, so the numbers include the client's cost: read them as a
 * lower bound of the router's capacity. Only verified results count (echoed payload, events in order).
 */
import { connectWebSocket } from "../src/transport/mod.ts";
import { MessageType as T } from "../src/wamp/message_type.ts";
import type { Message } from "../src/wamp/messages.ts";
import type { Peer } from "../src/wamp/peer.ts";
import { serializerBySubprotocol } from "../src/wamp/serializers/mod.ts";

const url = process.argv[2] ?? "ws://127.0.0.1:8080/ws";
const serializer = serializerBySubprotocol(`wamp.2.${process.argv[3] ?? "json"}`)!;
const seconds = Number(process.argv[4] ?? 3);
const IN_FLIGHT = 100;
const SUBSCRIBERS = 10;
const payload = "x".repeat(64);

async function join(): Promise<{ peer: Peer; next: () => Promise<Message> }> {
  const peer = await connectWebSocket(url, serializer);
  const queue: Message[] = [];
  let wake: (() => void) | undefined;
  peer.onMessage = (m) => {
    queue.push(m);
    wake?.();
  };
  const next = async () => {
    while (!queue.length) await new Promise<void>((r) => (wake = r));
    return queue.shift()!;
  };
  peer.send({ type: T.HELLO, realm: "realm1", details: { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} } } });
  if ((await next()).type !== T.WELCOME) throw new Error("join failed");
  return { peer, next };
}

async function rpc(): Promise<number> {
  const callee = await join();
  callee.peer.send({ type: T.REGISTER, request: 1, options: {}, procedure: "bench.echo" });
  await callee.next();
  callee.peer.onMessage = (m) => {
    if (m.type === T.INVOCATION) callee.peer.send({ type: T.YIELD, request: m.request, options: {}, args: m.args });
  };
  const caller = await join();
  let request = 1;
  let done = 0;
  const end = Date.now() + seconds * 1000;
  return await new Promise((resolve) => {
    caller.peer.onMessage = (m) => {
      if (m.type !== T.RESULT || m.args?.[0] !== payload) throw new Error(`bad result ${JSON.stringify(m)}`);
      done++;
      if (Date.now() < end) caller.peer.send({ type: T.CALL, request: ++request, options: {}, procedure: "bench.echo", args: [payload] });
      else if (done === request - 1) resolve(done / seconds);
    };
    for (let i = 0; i < IN_FLIGHT; i++) caller.peer.send({ type: T.CALL, request: ++request, options: {}, procedure: "bench.echo", args: [payload] });
  }).finally(() => {
    caller.peer.close();
    callee.peer.close();
  });
}

async function pubsub(): Promise<number> {
  const subs = await Promise.all(Array.from({ length: SUBSCRIBERS }, () => join()));
  let received = 0;
  for (const s of subs) {
    s.peer.send({ type: T.SUBSCRIBE, request: 1, options: {}, topic: "bench.topic" });
    await s.next();
    let last = -1;
    s.peer.onMessage = (m) => {
      if (m.type !== T.EVENT) return;
      const seq = m.args![0] as number;
      if (seq !== last + 1) throw new Error(`event out of order: ${seq} after ${last}`);
      last = seq;
      received++;
    };
  }
  const pub = await join();
  const end = Date.now() + seconds * 1000;
  let seq = 0;
  // Publish in bursts with acknowledge on the last of each burst, so the publisher cannot run
  // unboundedly ahead of the router.
  while (Date.now() < end) {
    for (let i = 0; i < 99; i++) pub.peer.send({ type: T.PUBLISH, request: seq + 1, options: {}, topic: "bench.topic", args: [seq++, payload] });
    pub.peer.send({ type: T.PUBLISH, request: seq + 1, options: { acknowledge: true }, topic: "bench.topic", args: [seq++, payload] });
    await pub.next();
  }
  const expected = seq * SUBSCRIBERS;
  const deadline = Date.now() + 5000;
  while (received < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  for (const s of [...subs, pub]) s.peer.close();
  if (received !== expected) throw new Error(`lost events: ${received}/${expected}`);
  return received / seconds;
}

console.log(JSON.stringify({ serializer: serializer.name, rpcCallsPerSecond: Math.round(await rpc()) }));
console.log(JSON.stringify({ serializer: serializer.name, subscribers: SUBSCRIBERS, eventsPerSecond: Math.round(await pubsub()) }));
process.exit(0);
