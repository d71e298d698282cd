import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as net from "node:net";
import { createBunRuntime } from "../../src/runtime/bun.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Listening } from "../../src/runtime/runtime.ts";
import { acceptWebSocket, connectWebSocket } from "../../src/transport/mod.ts";
import { MessageType } from "../../src/wamp/message_type.ts";
import type { Message } from "../../src/wamp/messages.ts";
import type { Peer } from "../../src/wamp/peer.ts";
import { cborSerializer, jsonSerializer, msgpackSerializer } from "../../src/wamp/serializers/mod.ts";
import { serveEcho } from "./_echo.ts";
import { openWebSocket, rawHttp, upgradeHeaders } from "./_http.ts";

const runtime = createBunRuntime();
let server: Listening;
let url: string;
const refused: string[] = [];

beforeAll(async () => {
  server = await serveEcho(runtime, { onRefused: (r) => refused.push(r) });
  url = `ws://127.0.0.1:${server.port}/ws`;
});
afterAll(async () => {
  await server?.close();
});

function callAndWait(peer: Peer, args: unknown[]): Promise<Message> {
  return new Promise((resolve) => {
    peer.onMessage = resolve;
    peer.send({ type: MessageType.CALL, request: 7, options: {}, procedure: "com.example.echo", args });
  });
}

describe("Bun runtime: WebSocket", () => {
  test("detectRuntime() picks the Bun adapter", async () => {
    expect((await detectRuntime()).name).toBe("bun");
  });

  test("listens on the real port when asked for port 0", () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.host).toBe("127.0.0.1");
  });

  test("an upgrade offering foo, wamp.2.msgpack, wamp.2.json selects msgpack", async () => {
    const ws = await openWebSocket(url, ["foo", "wamp.2.msgpack", "wamp.2.json"]);
    try {
      expect(ws.protocol).toBe("wamp.2.msgpack");
    } finally {
      ws.close();
    }
  });

  test("the raw 101 answer carries the chosen protocol, in the client's order", async () => {
    const res = await rawHttp(server.port, "/ws", upgradeHeaders("wamp.2.cbor, wamp.2.json"));
    expect(res.status).toBe(101);
    expect(res.headers["sec-websocket-protocol"]).toBe("wamp.2.cbor");
  });

  test("an upgrade offering no supported protocol gets 400 naming the supported ones", async () => {
    const res = await rawHttp(server.port, "/ws", upgradeHeaders("foo, bar"));
    expect(res.status).toBe(400);
    expect(res.body).toBe(
      "No supported WAMP subprotocol offered (offered: foo, bar). This router speaks wamp.2.json, wamp.2.msgpack, wamp.2.cbor.\n",
    );
    expect(refused.at(-1)).toContain("offered: foo, bar");
  });

  test("an upgrade offering no protocol at all gets 400", async () => {
    const res = await rawHttp(server.port, "/ws", upgradeHeaders());
    expect(res.status).toBe(400);
    expect(res.body).toContain("offered: none");
  });

  test("a plain GET to the WebSocket path gets 426 with a hint", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/ws`);
    expect(res.status).toBe(426);
    expect(await res.text()).toContain("/ws is a WAMP WebSocket endpoint");
  });

  test("another path gets 404", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/nope`);
    expect(res.status).toBe(404);
  });

  for (const s of [jsonSerializer, msgpackSerializer, cborSerializer]) {
    test(`a ${s.name} client round-trips a call through connectWebSocket`, async () => {
      const text = "ü€";
      const peer = await connectWebSocket(url, s);
      try {
        expect(peer.details.serializer).toBe(s.name);
        const reply = await callAndWait(peer, [1, text, { a: [true, null] }]);
        expect(reply).toEqual({ type: MessageType.RESULT, request: 7, details: {}, args: [1, text, { a: [true, null] }] });
      } finally {
        peer.close();
      }
    });
  }

  test("connectWebSocket rejects clearly when the upgrade is refused", async () => {
    const fake = { ...jsonSerializer, subprotocol: "wamp.2.nope" };
    await expect(connectWebSocket(url, fake)).rejects.toThrow(`Cannot connect to ${url}`);
  });

  test("connectWebSocket rejects clearly when nothing listens", async () => {
    const probe = await serveEcho(runtime);
    const deadUrl = `ws://127.0.0.1:${probe.port}/ws`;
    await probe.close();
    await expect(connectWebSocket(deadUrl, jsonSerializer, { timeoutMs: 3000 })).rejects.toThrow(
      `Cannot connect to ${deadUrl}`,
    );
  });

  test("a protocol violation from the client gets ABORT, then the connection closes", async () => {
    const ws = await openWebSocket(url, ["wamp.2.json"]);
    const got: string[] = [];
    const closed = new Promise<number>((r) => (ws.onclose = (ev) => r(ev.code)));
    ws.onmessage = (ev) => got.push(String(ev.data));
    ws.send("[48, \"not a request id\"]");
    const code = await closed;
    expect(code).toBe(1002);
    expect(JSON.parse(got[0])[0]).toBe(3);
    expect(JSON.parse(got[0])[2]).toBe("wamp.error.protocol_violation");
  });

  test("an over-long message is refused by Bun with 1009", async () => {
    const small = await serveEcho(runtime, { maxMessageLength: 1024 });
    try {
      const ws = await openWebSocket(`ws://127.0.0.1:${small.port}/ws`, ["wamp.2.json"]);
      const closed = new Promise<number>((r) => (ws.onclose = (ev) => r(ev.code)));
      ws.send(JSON.stringify([48, 1, {}, "p", ["x".repeat(2000)]]));
      expect(await closed).toBe(1009);
    } finally {
      await small.close();
    }
  });

  test("close() ends open connections", async () => {
    const other = await serveEcho(runtime);
    const peer = await connectWebSocket(`ws://127.0.0.1:${other.port}/ws`, jsonSerializer);
    const gone = new Promise<void>((r) => (peer.onClose = r));
    await other.close();
    await gone;
    expect(peer.closed).toBe(true);
  });

  test("a client that stops reading is closed as a slow consumer (Bun's buffered amount counts)", async () => {
    let slow = 0;
    let routerPeer: Peer | undefined;
    const srv = await serveEcho(runtime, {
      onConnection: (channel) => {
        routerPeer = acceptWebSocket(channel, jsonSerializer, {
          outbound: { maxBufferedBytes: 256 * 1024, graceMs: 200, onSlowConsumer: () => slow++ },
          closeTimeoutMs: 100,
        });
      },
    });
    const client = net.connect({ host: "127.0.0.1", port: srv.port });
    try {
      await new Promise((r) => client.once("connect", r));
      client.write(
        "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
          "Sec-WebSocket-Protocol: wamp.2.json\r\n\r\n",
      );
      await new Promise((r) => client.once("data", r)); // 101
      client.pause();
      while (!routerPeer) await Bun.sleep(5);
      const closed = new Promise<void>((r) => (routerPeer!.onClose = r));
      const payload = "y".repeat(16 * 1024);
      const pump = setInterval(() => {
        for (let i = 0; i < 20 && !routerPeer!.closed; i++) {
          routerPeer!.send({ type: MessageType.EVENT, subscription: 1, publication: i, details: {}, args: [payload] });
        }
      }, 5);
      await closed;
      clearInterval(pump);
      expect(slow).toBe(1);
    } finally {
      client.destroy();
      await srv.close();
    }
  });
});
