import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as net from "node:net";
import { connectTcp, listenTcp } from "../../src/runtime/node_tcp.ts";
import type { Listening } from "../../src/runtime/runtime.ts";
import { acceptRawSocket, connectRawSocket } from "../../src/transport/mod.ts";
import { MessageType } from "../../src/wamp/message_type.ts";
import type { Message } from "../../src/wamp/messages.ts";
import type { Peer } from "../../src/wamp/peer.ts";
import { jsonSerializer, msgpackSerializer, serializers } from "../../src/wamp/serializers/mod.ts";
import { echo } from "./_echo.ts";

let server: Listening;
const serverPeers: Peer[] = [];

beforeAll(async () => {
  server = await listenTcp({
    host: "127.0.0.1",
    port: 0,
    onConnection: (channel) =>
      acceptRawSocket(channel, {
        serializers,
        maxMessageLength: 65536,
        onPeer: (peer) => {
          serverPeers.push(peer);
          echo(peer);
        },
      }),
  });
});
afterAll(async () => {
  await server?.close();
});

function call(peer: Peer, args: unknown[]): Promise<Message> {
  return new Promise((resolve) => {
    peer.onMessage = resolve;
    peer.send({ type: MessageType.CALL, request: 1, options: {}, procedure: "com.example.echo", args });
  });
}

describe("RawSocket over real TCP", () => {
  test("listens on the real port when asked for port 0", () => {
    expect(server.port).toBeGreaterThan(0);
  });

  for (const s of [jsonSerializer, msgpackSerializer]) {
    test(`a ${s.name} client round-trips a call`, async () => {
      const peer = await connectRawSocket("127.0.0.1", server.port, s, { connect: connectTcp });
      try {
        expect(peer.details).toMatchObject({ transport: "rawsocket", serializer: s.name, remoteAddress: "127.0.0.1", tls: false });
        const reply = await call(peer, ["ü€", 2 ** 40, { nested: [null] }]);
        expect(reply).toEqual({ type: MessageType.RESULT, request: 1, details: {}, args: ["ü€", 2 ** 40, { nested: [null] }] });
      } finally {
        peer.close();
      }
    });
  }

  test("a large message crosses many TCP chunks intact", async () => {
    const peer = await connectRawSocket("127.0.0.1", server.port, jsonSerializer, { connect: connectTcp });
    try {
      const big = "x".repeat(60_000);
      const reply = await call(peer, [big]);
      expect((reply as { args: string[] }).args[0]).toBe(big);
    } finally {
      peer.close();
    }
  });

  test("closing the client closes the router side", async () => {
    const before = serverPeers.length;
    const peer = await connectRawSocket("127.0.0.1", server.port, jsonSerializer, { connect: connectTcp });
    await call(peer, [1]);
    const routerSide = serverPeers[before];
    const gone = new Promise<void>((r) => (routerSide.onClose = r));
    peer.close();
    await gone;
    expect(routerSide.closed).toBe(true);
  });

  test("a refused connection rejects naming the address", async () => {
    const probe = await listenTcp({ host: "127.0.0.1", port: 0, onConnection: () => {} });
    await probe.close();
    await expect(connectRawSocket("127.0.0.1", probe.port, jsonSerializer, { connect: connectTcp })).rejects.toThrow(
      `Cannot connect to rawsocket://127.0.0.1:${probe.port}: connection refused`,
    );
  });

  test("a handshake refusal rejects with the spec's error text", async () => {
    const full = await listenTcp({
      host: "127.0.0.1",
      port: 0,
      onConnection: (ch) => acceptRawSocket(ch, { serializers, admit: () => false, onPeer: () => {} }),
    });
    try {
      await expect(connectRawSocket("127.0.0.1", full.port, jsonSerializer, { connect: connectTcp })).rejects.toThrow(
        "router refused: maximum connection count reached (error 4)",
      );
    } finally {
      await full.close();
    }
  });

  test("listening on a port in use fails with a clear message", async () => {
    await expect(listenTcp({ host: "127.0.0.1", port: server.port, onConnection: () => {} })).rejects.toThrow(
      `Cannot listen on 127.0.0.1:${server.port}: port ${server.port} is in use`,
    );
  });

  test("a client that stops reading is closed as a slow consumer", async () => {
    let slow = 0;
    let routerPeer: Peer | undefined;
    const srv = await listenTcp({
      host: "127.0.0.1",
      port: 0,
      onConnection: (ch) =>
        acceptRawSocket(ch, {
          serializers,
          outbound: { maxBufferedBytes: 256 * 1024, graceMs: 200, onSlowConsumer: () => slow++ },
          // The ABORT cannot reach a client that does not read: the graceful end never
          // completes and the connection is cut after this.
          closeTimeoutMs: 100,
          onPeer: (p) => (routerPeer = p),
        }),
    });
    const client = net.connect({ host: "127.0.0.1", port: srv.port });
    try {
      await new Promise((r) => client.once("connect", r));
      client.write(Uint8Array.of(0x7f, 0xf1, 0, 0));
      await new Promise((r) => client.once("data", r)); // handshake reply
      client.pause(); // the client no longer reads: kernel buffers fill, then ours
      const closed = new Promise<void>((r) => (routerPeer!.onClose = r));
      const payload = "y".repeat(16 * 1024);
      let accepted = 0;
      const pump = setInterval(() => {
        for (let i = 0; i < 20 && !routerPeer!.closed; i++) {
          if (routerPeer!.send({ type: MessageType.EVENT, subscription: 1, publication: i, details: {}, args: [payload] })) {
            accepted++;
          }
        }
      }, 5);
      await closed;
      clearInterval(pump);
      expect(slow).toBe(1);
      expect(accepted).toBeGreaterThan(16);
      expect(routerPeer!.send({ type: MessageType.EVENT, subscription: 1, publication: 0, details: {} })).toBe(false);
    } finally {
      client.destroy();
      await srv.close();
    }
  });
});
