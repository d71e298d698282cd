// Listening.setTls: a new certificate for new connections, open connections keep working.
// RawSocket (node:tls setSecureContext) and the Bun WebSocket server (a new Bun.serve on the port).
import { afterAll, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as tls from "node:tls";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createBunRuntime } from "../../src/runtime/bun.ts";
import { connectTcp, listenTcp } from "../../src/runtime/node_tcp.ts";
import { acceptRawSocket, connectRawSocket } from "../../src/transport/mod.ts";
import { MessageType } from "../../src/wamp/message_type.ts";
import type { Message } from "../../src/wamp/messages.ts";
import type { Peer } from "../../src/wamp/peer.ts";
import { jsonSerializer, serializers } from "../../src/wamp/serializers/mod.ts";
import { echo, serveEcho } from "./_echo.ts";

const fixture = (f: string) => readFileSync(join(dirname(fileURLToPath(import.meta.url)), "_fixtures", f), "utf8");
const first = { cert: fixture("localhost.crt"), key: fixture("localhost.key") };
const HAVE_OPENSSL = existsSync("/usr/bin/openssl");
const dir = mkdtempSync(join(tmpdir(), "causeway-tls-reload-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function secondCert(): { cert: string; key: string } {
  execFileSync("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "b.key", "-out", "b.crt", "-days", "2",
    "-subj", "/CN=second", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { cwd: dir, stdio: "ignore" });
  return { cert: readFileSync(join(dir, "b.crt"), "utf8"), key: readFileSync(join(dir, "b.key"), "utf8") };
}

function servedCN(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
      resolve(String(s.getPeerCertificate().subject?.CN));
      s.end();
    });
    s.on("error", reject);
  });
}

function roundTrip(peer: Peer, request: number): Promise<Message> {
  return new Promise((resolve) => {
    peer.onMessage = resolve;
    peer.send({ type: MessageType.CALL, request, options: {}, procedure: "p", args: [request] });
  });
}

describe.skipIf(!HAVE_OPENSSL)("setTls", () => {
  test("RawSocket over TLS: new handshakes get the new certificate, an open connection keeps working", async () => {
    const second = secondCert();
    const server = await listenTcp({
      host: "127.0.0.1", port: 0, tls: first,
      onConnection: (ch) => acceptRawSocket(ch, { serializers, onPeer: echo }),
    });
    try {
      const peer = await connectRawSocket("127.0.0.1", server.port, jsonSerializer, { connect: connectTcp, tls: { ca: first.cert } });
      expect(await servedCN(server.port)).toBe("localhost");
      await server.setTls!(second);
      expect(await servedCN(server.port)).toBe("second");
      expect(await roundTrip(peer, 7)).toEqual({ type: MessageType.RESULT, request: 7, details: {}, args: [7] });
      const fresh = await connectRawSocket("127.0.0.1", server.port, jsonSerializer, { connect: connectTcp, tls: { ca: second.cert } });
      expect(await roundTrip(fresh, 8)).toEqual({ type: MessageType.RESULT, request: 8, details: {}, args: [8] });
      peer.close();
      fresh.close();
    } finally {
      await server.close();
    }
  });

  test("without TLS there is nothing to swap", async () => {
    const server = await listenTcp({ host: "127.0.0.1", port: 0, onConnection: () => {} });
    expect(server.setTls).toBeUndefined();
    await server.close();
  });

  test.skipIf(!("Bun" in globalThis))("Bun wss://: a new server takes the port, the open WebSocket keeps working", async () => {
    const second = secondCert();
    const server = await serveEcho(createBunRuntime(), { tls: first });
    try {
      const ws = new WebSocket(`wss://127.0.0.1:${server.port}/ws`, { protocols: ["wamp.2.json"], tls: { ca: first.cert } } as unknown as string[]);
      const call = (n: number) =>
        new Promise<string>((resolve) => {
          ws.onmessage = (e) => resolve(String(e.data));
          ws.send(JSON.stringify([48, n, {}, "p", [n]]));
        });
      await new Promise((r) => (ws.onopen = r));
      expect(await call(1)).toBe("[50,1,{},[1]]");
      await server.setTls!(second);
      expect(await servedCN(server.port)).toBe("second");
      expect(await call(2)).toBe("[50,2,{},[2]]");
      ws.close();
    } finally {
      await server.close();
    }
  });
});
