import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as net from "node:net";
import type { RunningServer } from "../../src/server.ts";
import { connectWebSocket } from "../../src/transport/mod.ts";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Invocation } from "../../src/wamp/messages.ts";
import { jsonSerializer } from "../../src/wamp/serializers/mod.ts";
import { startTestServer } from "../_harness/in_process_server.ts";
import { MessageClient } from "../_harness/message_client.ts";

/**
 * Bad input over real sockets: the offending connection gets ABORT (where a WAMP message can
 * still be sent) and is closed; a bystander session keeps working throughout.
 */
let server: RunningServer;
let wsUrl: string;
let rawPort: number;
let bystander: MessageClient;
let echo: MessageClient;

beforeAll(async () => {
  ({ server, wsUrl, rawPort } = await startTestServer((cfg) => {
    cfg.listeners = cfg.listeners.map((l) => ({ ...l, maxMessageSize: 64 * 1024 }));
  }));
  echo = new MessageClient(await connectWebSocket(wsUrl, jsonSerializer));
  await echo.join();
  await echo.register("com.example.echo");
  echo.peer.onMessage = (m) => {
    if (m.type === T.INVOCATION) {
      const inv = m as Invocation;
      echo.send({ type: T.YIELD, request: inv.request, options: {}, args: inv.args });
    }
  };
  bystander = new MessageClient(await connectWebSocket(wsUrl, jsonSerializer));
  await bystander.join();
});

afterAll(async () => {
  await server?.stop();
});

/** The bystander's call still round-trips: the router and other sessions are unharmed. */
async function routerStillServes(): Promise<void> {
  const req = bystander.call("com.example.echo", ["still here"]);
  expect(await bystander.replyTo(req)).toMatchObject({ type: T.RESULT, args: ["still here"] });
}

/** Opens a raw WebSocket offering wamp.2.json; resolves with every text frame and the close. */
function rawWebSocket(protocol = "wamp.2.json"): Promise<{ ws: WebSocket; frames: string[]; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, [protocol]);
    const frames: string[] = [];
    ws.binaryType = "arraybuffer";
    const closed = new Promise<number>((r) => ws.addEventListener("close", (e) => r(e.code)));
    ws.addEventListener("message", (e) => frames.push(typeof e.data === "string" ? e.data : `<binary ${(e.data as ArrayBuffer).byteLength}>`));
    ws.addEventListener("open", () => resolve({ ws, frames, closed }));
    ws.addEventListener("error", () => reject(new Error("websocket error")));
  });
}

const abortOf = (frames: string[]) => frames.map((f) => { try { return JSON.parse(f); } catch { return f; } }).find((m) => Array.isArray(m) && m[0] === 3);

describe("bad input over WebSocket", () => {
  for (const [what, frame, expected] of [
    ["malformed JSON", "[1, \"realm1\", {", "JSON"],
    ["a frame that is not an array", "{\"hello\": 1}", "list"],
    ["an unknown message type", "[99, 1, {}]", "99"],
    ["the wrong first message", "[32, 1, {}, \"com.example.t\"]", "HELLO"],
    ["a HELLO with a wrongly typed field", "[1, 42, {\"roles\": {}}]", "HELLO"],
  ] as const) {
    test(`${what} gets ABORT protocol_violation naming the problem, then close`, async () => {
      const { ws, frames, closed } = await rawWebSocket();
      ws.send(frame);
      await closed;
      const abort = abortOf(frames);
      expect(abort[2]).toBe("wamp.error.protocol_violation");
      expect(String(abort[1].message)).toContain(expected);
      await routerStillServes();
    });
  }

  test("an oversized frame ends the connection and other sessions keep working", async () => {
    const { ws, closed } = await rawWebSocket();
    ws.send(`[1, "realm1", {"roles": {"caller": {}}, "pad": "${"x".repeat(128 * 1024)}"}]`);
    const code = await closed;
    expect(code).not.toBe(1000);
    await routerStillServes();
  });

  test("a protocol violation inside an established session ends only that session", async () => {
    const { ws, frames, closed } = await rawWebSocket();
    ws.send(JSON.stringify([1, "realm1", { roles: { caller: {} } }]));
    await new Promise((r) => setTimeout(r, 50));
    ws.send(JSON.stringify([36, 1, 2, {}]));
    await closed;
    expect(JSON.parse(frames[0])[0]).toBe(T.WELCOME);
    expect(abortOf(frames)[2]).toBe("wamp.error.protocol_violation");
    await routerStillServes();
  });

  test("an upgrade offering no WAMP subprotocol is refused with 400 naming the supported ones", async () => {
    const res = await fetch(wsUrl.replace("ws://", "http://"), {
      headers: { Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Protocol": "mqtt, wamp.1.json" },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("wamp.2.json");
  });
});

/** Raw TCP to the RawSocket listener: returns everything received until the socket closes. */
function rawTcp(bytes: Uint8Array[], settleMs = 300): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const sock = net.connect(rawPort, "127.0.0.1");
    const chunks: Buffer[] = [];
    let closed = false;
    sock.on("data", (d: Buffer) => chunks.push(d));
    sock.on("close", () => { closed = true; });
    sock.on("error", () => {});
    sock.on("connect", async () => {
      for (const b of bytes) {
        sock.write(b);
        await new Promise((r) => setTimeout(r, 10));
      }
      setTimeout(() => {
        resolve({ data: Buffer.concat(chunks), closed });
        sock.destroy();
      }, settleMs);
    });
  });
}

const frame = (type: number, payload: Uint8Array) => {
  const f = new Uint8Array(4 + payload.length);
  f[0] = type;
  f[1] = (payload.length >> 16) & 0xff;
  f[2] = (payload.length >> 8) & 0xff;
  f[3] = payload.length & 0xff;
  f.set(payload, 4);
  return f;
};
const text = (s: string) => new TextEncoder().encode(s);

describe("bad input over RawSocket", () => {
  test("binary garbage instead of a handshake closes the connection", async () => {
    const { closed, data } = await rawTcp([new Uint8Array([0x47, 0x45, 0x54, 0x20, 0xde, 0xad, 0xbe, 0xef])]);
    expect(closed).toBe(true);
    expect(data.length).toBe(0);
    await routerStillServes();
  });

  test("an unsupported serializer gets handshake error 1", async () => {
    const { data } = await rawTcp([new Uint8Array([0x7f, 0xf9, 0, 0])]);
    expect([...data.subarray(0, 4)]).toEqual([0x7f, 0x10, 0, 0]);
  });

  test("garbage after a good handshake gets ABORT protocol_violation and close", async () => {
    const { data, closed } = await rawTcp([new Uint8Array([0x7f, 0xf1, 0, 0]), frame(0, new Uint8Array([0xde, 0xad, 0xbe, 0xef]))]);
    expect(data[0]).toBe(0x7f);
    const abort = JSON.parse(data.subarray(8).toString("utf8"));
    expect(abort[0]).toBe(T.ABORT);
    expect(abort[2]).toBe("wamp.error.protocol_violation");
    expect(closed).toBe(true);
    await routerStillServes();
  });

  test("an unknown frame type closes the connection", async () => {
    const { closed } = await rawTcp([new Uint8Array([0x7f, 0xf1, 0, 0]), frame(7, text("[]"))]);
    expect(closed).toBe(true);
    await routerStillServes();
  });

  test("a frame longer than the announced maximum closes the connection", async () => {
    const header = new Uint8Array([0, 0x10, 0, 0]); // claims 1 MiB > the 64 KiB announced
    const { data, closed } = await rawTcp([new Uint8Array([0x7f, 0xf1, 0, 0]), header]);
    // The router announced 2^(9+7) = 64 KiB in its handshake reply.
    expect(data[1] >> 4).toBe(7);
    expect(closed).toBe(true);
    await routerStillServes();
  });

  test("PING is answered with PONG carrying the same payload", async () => {
    const { data } = await rawTcp([new Uint8Array([0x7f, 0xf1, 0, 0]), frame(1, text("abc"))]);
    expect([...data.subarray(4)]).toEqual([...frame(2, text("abc"))]);
  });
});
