import { afterAll, beforeAll, expect, test } from "bun:test";
import * as net from "node:net";
import type { RunningServer } from "../../src/server.ts";
import { connectWebSocket } from "../../src/transport/mod.ts";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Event } from "../../src/wamp/messages.ts";
import { jsonSerializer } from "../../src/wamp/serializers/mod.ts";
import { startTestServer } from "../_harness/in_process_server.ts";
import { MessageClient } from "../_harness/message_client.ts";

/**
 * A subscriber that stops reading must not make the router's memory grow without bound: it
 * is closed as a slow consumer and counted, while a subscriber that reads gets every event.
 */
let server: RunningServer;
let rawPort: number;
let wsUrl: string;

beforeAll(async () => {
  ({ server, wsUrl, rawPort } = await startTestServer((cfg) => {
    cfg.limits.outboundBufferBytes = 256 * 1024;
    cfg.limits.slowConsumerGraceMs = 200;
  }));
});

afterAll(async () => {
  await server?.stop();
});

/** A RawSocket JSON client that joins, subscribes, then never reads again. */
async function stalledSubscriber(topic: string): Promise<net.Socket> {
  const sock = net.connect(rawPort, "127.0.0.1");
  await new Promise((r) => sock.once("connect", r));
  const send = (msg: unknown[]) => {
    const body = Buffer.from(JSON.stringify(msg));
    const head = Buffer.from([0, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]);
    sock.write(Buffer.concat([head, body]));
  };
  let seen = Buffer.alloc(0);
  const until = (pred: (s: string) => boolean) => new Promise<void>((resolve) => {
    const onData = (d: Buffer) => {
      seen = Buffer.concat([seen, d]);
      if (pred(seen.toString("latin1"))) {
        sock.off("data", onData);
        resolve();
      }
    };
    sock.on("data", onData);
  });
  sock.write(Buffer.from([0x7f, 0xf1, 0, 0]));
  send([1, "realm1", { roles: { subscriber: {} } }]);
  await until((s) => s.includes("[2,"));
  send([32, 1, {}, topic]);
  await until((s) => s.includes("[33,1,"));
  sock.pause();
  return sock;
}

test("a subscriber that stops reading is closed as a slow consumer; a reading one gets everything", async () => {
  const topic = "com.example.firehose";
  const stalled = await stalledSubscriber(topic);
  const reader = new MessageClient(await connectWebSocket(wsUrl, jsonSerializer));
  await reader.join();
  await reader.subscribe(topic);
  const publisher = new MessageClient(await connectWebSocket(wsUrl, jsonSerializer));
  await publisher.join();
  expect(server.router.sessionCount).toBe(3);

  const blob = "x".repeat(32 * 1024);
  const total = 600; // ~19 MiB towards the stalled socket: far beyond kernel buffers + the bound
  let received = 0;
  const allReceived = new Promise<void>((resolve) => {
    reader.peer.onMessage = (m) => {
      if (m.type === T.EVENT && (m as Event).args?.[1] === blob && ++received === total) resolve();
    };
  });
  for (let i = 0; i < total; i++) {
    publisher.send({ type: T.PUBLISH, request: publisher.request(), options: {}, topic, args: [i, blob] });
    // Bursts stay well under the bound so the reading subscriber is never over it.
    if (i % 4 === 3) await new Promise((r) => setTimeout(r, 5));
  }
  await allReceived;
  const deadline = Date.now() + 5000;
  while (server.counters.get("slow_consumers_closed") === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(server.counters.get("slow_consumers_closed")).toBe(1);
  expect(received).toBe(total);
  while (server.router.sessionCount !== 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(server.router.sessionCount).toBe(2);
  stalled.destroy();
  reader.peer.close();
  publisher.peer.close();
}, 20_000);
