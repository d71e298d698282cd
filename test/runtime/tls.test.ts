import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createBunRuntime } from "../../src/runtime/bun.ts";
import { connectTcp, listenTcp } from "../../src/runtime/node_tcp.ts";
import { acceptRawSocket, connectRawSocket } from "../../src/transport/mod.ts";
import { MessageType } from "../../src/wamp/message_type.ts";
import type { Message } from "../../src/wamp/messages.ts";
import type { Peer } from "../../src/wamp/peer.ts";
import { jsonSerializer, serializers } from "../../src/wamp/serializers/mod.ts";
import { echo, serveEcho } from "./_echo.ts";

const cert = readFileSync(join(import.meta.dir, "_fixtures/localhost.crt"), "utf8");
const key = readFileSync(join(import.meta.dir, "_fixtures/localhost.key"), "utf8");

describe("TLS", () => {
  test("RawSocket over TLS round-trips a call and reports tls in the peer details", async () => {
    const routerSide: Peer[] = [];
    const server = await listenTcp({
      host: "127.0.0.1",
      port: 0,
      tls: { cert, key },
      onConnection: (ch) => acceptRawSocket(ch, { serializers, onPeer: (p) => (routerSide.push(p), echo(p)) }),
    });
    try {
      const peer = await connectRawSocket("127.0.0.1", server.port, jsonSerializer, { connect: connectTcp, tls: { ca: cert } });
      const reply = await new Promise<Message>((resolve) => {
        peer.onMessage = resolve;
        peer.send({ type: MessageType.CALL, request: 1, options: {}, procedure: "p", args: ["secret"] });
      });
      expect(reply).toEqual({ type: MessageType.RESULT, request: 1, details: {}, args: ["secret"] });
      expect(peer.details.tls).toBe(true);
      expect(routerSide[0].details.tls).toBe(true);
      peer.close();
    } finally {
      await server.close();
    }
  });

  test("a TLS client that does not trust the certificate is refused with a clear error", async () => {
    const server = await listenTcp({ host: "127.0.0.1", port: 0, tls: { cert, key }, onConnection: () => {} });
    try {
      await expect(connectRawSocket("127.0.0.1", server.port, jsonSerializer, { connect: connectTcp, tls: true })).rejects.toThrow(
        `Cannot connect to rawsocket://127.0.0.1:${server.port}:`,
      );
    } finally {
      await server.close();
    }
  });

  test("the Bun adapter serves wss:// with the WAMP subprotocol", async () => {
    const server = await serveEcho(createBunRuntime(), { tls: { cert, key } });
    try {
      // Bun's WebSocket client takes a non-standard tls option (test only).
      const ws = new WebSocket(`wss://127.0.0.1:${server.port}/ws`, {
        protocols: ["wamp.2.json"],
        tls: { ca: cert },
      } as unknown as string[]);
      const reply = await new Promise<string>((resolve, reject) => {
        ws.onopen = () => ws.send(JSON.stringify([48, 1, {}, "p", ["over tls"]]));
        ws.onmessage = (ev) => resolve(String(ev.data));
        ws.onerror = () => reject(new Error("wss error"));
      });
      expect(ws.protocol).toBe("wamp.2.json");
      expect(JSON.parse(reply)).toEqual([50, 1, {}, ["over tls"]]);
      ws.close();
    } finally {
      await server.close();
    }
  });
});
