// The Deno adapter, checked from a Bun test: a child `deno run` serves the WAMP echo through
// createDenoRuntime() on 127.0.0.1:0 and prints its port; the test connects as a client.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { connectWebSocket } from "../../src/transport/mod.ts";
import { MessageType } from "../../src/wamp/message_type.ts";
import type { Message } from "../../src/wamp/messages.ts";
import { jsonSerializer, msgpackSerializer } from "../../src/wamp/serializers/mod.ts";
import { openWebSocket, rawHttp, upgradeHeaders } from "./_http.ts";

const root = join(import.meta.dir, "..", "..");
let proc: ReturnType<typeof Bun.spawn> | undefined;
let port = 0;
let runtimeName = "";

beforeAll(async () => {
  proc = Bun.spawn([join(root, "node_modules/.bin/deno"), "run", "-A", join(import.meta.dir, "_deno_ws_server.ts")], {
    cwd: root,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`deno server exited before printing its port: ${text}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const hello = JSON.parse(text.split("\n")[0]);
  port = hello.port;
  runtimeName = hello.runtime;
}, 60_000);

afterAll(async () => {
  if (!proc) return;
  (proc.stdin as { end(): void }).end(); // the script stops when its stdin closes
  const timer = setTimeout(() => proc?.kill(), 5000);
  await proc.exited;
  clearTimeout(timer);
});

describe("Deno runtime adapter (child process)", () => {
  test("detectRuntime() picks the Deno adapter, which reports the real port bound for port 0", () => {
    expect(runtimeName).toBe("deno");
    expect(port).toBeGreaterThan(0);
  });

  test("a WebSocket offering wamp.2.json gets wamp.2.json", async () => {
    const ws = await openWebSocket(`ws://127.0.0.1:${port}/ws`, ["wamp.2.json"]);
    try {
      expect(ws.protocol).toBe("wamp.2.json");
    } finally {
      ws.close();
    }
  });

  test("the choice follows the client's order: foo, wamp.2.msgpack, wamp.2.json selects msgpack", async () => {
    const res = await rawHttp(port, "/ws", upgradeHeaders("foo, wamp.2.msgpack, wamp.2.json"));
    expect(res.status).toBe(101);
    expect(res.headers["sec-websocket-protocol"]).toBe("wamp.2.msgpack");
  });

  test("an upgrade offering no supported protocol gets 400 naming the supported ones", async () => {
    const res = await rawHttp(port, "/ws", upgradeHeaders("foo"));
    expect(res.status).toBe(400);
    expect(res.body).toContain("This router speaks wamp.2.json, wamp.2.msgpack, wamp.2.cbor.");
  });

  test("a plain GET gets 426 and another path 404", async () => {
    expect((await fetch(`http://127.0.0.1:${port}/ws`)).status).toBe(426);
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });

  for (const s of [jsonSerializer, msgpackSerializer]) {
    test(`a ${s.name} call round-trips through the Deno adapter`, async () => {
      const peer = await connectWebSocket(`ws://127.0.0.1:${port}/ws`, s);
      try {
        const reply = await new Promise<Message>((resolve) => {
          peer.onMessage = resolve;
          peer.send({ type: MessageType.CALL, request: 3, options: {}, procedure: "p", args: ["ü€", 42] });
        });
        expect(reply).toEqual({ type: MessageType.RESULT, request: 3, details: {}, args: ["ü€", 42] });
      } finally {
        peer.close();
      }
    });
  }

  test("a protocol violation gets ABORT and close code 1002 from Deno too", async () => {
    const ws = await openWebSocket(`ws://127.0.0.1:${port}/ws`, ["wamp.2.json"]);
    const got: string[] = [];
    ws.onmessage = (ev) => got.push(String(ev.data));
    const closed = new Promise<number>((r) => (ws.onclose = (ev) => r(ev.code)));
    ws.send("garbage");
    expect(await closed).toBe(1002);
    expect(JSON.parse(got[0])[2]).toBe("wamp.error.protocol_violation");
  });
});
