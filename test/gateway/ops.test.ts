import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../_harness/in_process_server.ts";
import { ApplicationError, type InteropClient } from "../interop/_client.ts";
import { connectAutobahn } from "../interop/_autobahn.ts";
import { MessageClient } from "../_harness/message_client.ts";
import { connectWebSocket } from "../../src/transport/mod.ts";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Abort } from "../../src/wamp/messages.ts";
import { jsonSerializer } from "../../src/wamp/serializers/mod.ts";

/** Reads one sample's value from Prometheus text; undefined when the line is absent. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith(series + " ")) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

describe("ops endpoints on the WebSocket listener, after real autobahn-js traffic", () => {
  let ts: TestServer;
  let base: string;
  let callee: InteropClient;
  let caller: InteropClient;
  beforeAll(async () => {
    ts = await startTestServer();
    base = ts.wsUrl.replace(/^ws:/, "http:").replace(/\/ws$/, "");
    callee = await connectAutobahn({ type: "websocket", url: ts.wsUrl, serializer: "json" });
    caller = await connectAutobahn({ type: "rawsocket", host: "127.0.0.1", port: ts.rawPort });
    await callee.register("com.example.add", ({ args }) => ({ args: [(args[0] as number) + (args[1] as number)], kwargs: {} }));
    await callee.register("com.example.fail", () => {
      throw new ApplicationError("com.example.oops");
    });
    for (let i = 0; i < 5; i++) expect((await caller.call("com.example.add", [i, 1])).args[0]).toBe(i + 1);
    const failed = await caller.call("com.example.fail").then(() => undefined, (e) => e);
    expect((failed as ApplicationError).uri).toBe("com.example.oops");
    const missing = await caller.call("com.example.nothing").then(() => undefined, (e) => e);
    expect((missing as ApplicationError).uri).toBe("wamp.error.no_such_procedure");
  });
  afterAll(async () => {
    await callee?.close().catch(() => {});
    await caller?.close().catch(() => {});
    await ts?.server.stop();
  });

  test("GET /ping answers pong", async () => {
    const r = await fetch(`${base}/ping`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe("pong");
  });

  test("GET /ready is 200 once started", async () => {
    const r = await fetch(`${base}/ready`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ready: true });
  });

  test("GET /metrics reflects the sessions, messages, calls, errors and latencies", async () => {
    const r = await fetch(`${base}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await r.text();
    expect(sample(text, 'causeway_sessions{realm="realm1",transport="websocket"}')).toBe(1);
    expect(sample(text, 'causeway_sessions{realm="realm1",transport="rawsocket"}')).toBe(1);
    // Router-internal sessions (meta API, admin API) count as joined too.
    expect(sample(text, "causeway_sessions_joined_total")).toBeGreaterThanOrEqual(2);
    // 5 + 1 routed calls, 1 refused (no such procedure).
    expect(sample(text, 'causeway_messages_in_total{type="CALL"}')).toBe(7);
    expect(sample(text, 'causeway_messages_in_total{type="REGISTER"}')).toBe(2);
    expect(sample(text, 'causeway_messages_in_total{type="YIELD"}')).toBe(5);
    expect(sample(text, 'causeway_messages_in_total{type="HELLO"}')).toBe(2);
    expect(sample(text, 'causeway_messages_out_total{type="INVOCATION"}')).toBe(6);
    expect(sample(text, 'causeway_messages_out_total{type="RESULT"}')).toBe(5);
    expect(sample(text, 'causeway_messages_out_total{type="WELCOME"}')).toBe(2);
    expect(sample(text, "causeway_calls_total")).toBe(6);
    expect(sample(text, 'causeway_errors_total{uri="com.example.oops"}')).toBe(1);
    expect(sample(text, 'causeway_errors_total{uri="wamp.error.no_such_procedure"}')).toBe(1);
    expect(sample(text, "causeway_call_duration_seconds_count")).toBe(7);
    expect(sample(text, 'causeway_call_duration_seconds_bucket{le="+Inf"}')).toBe(7);
    expect(sample(text, 'causeway_call_duration_seconds_bucket{le="10"}')).toBe(7);
    expect(sample(text, "causeway_call_duration_seconds_sum")).toBeGreaterThan(0);
    expect(sample(text, "causeway_auth_failures_total")).toBe(0);
    expect(sample(text, "causeway_process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(sample(text, "causeway_process_heap_used_bytes")).toBeGreaterThan(0);
  });

  test("the WAMP path still upgrades and unknown paths are 404", async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});

describe("the separate ops HTTP listener (config `http`)", () => {
  test("serves /ping, /ready and /metrics on its own port", async () => {
    const ts = await startTestServer((cfg) => {
      cfg.http = { host: "127.0.0.1", port: 0 };
    });
    try {
      const http = ts.server.listeners.find((l) => l.transport === "http")!;
      expect(http.url).toBe(`http://127.0.0.1:${http.port}/metrics`);
      const base = `http://127.0.0.1:${http.port}`;
      expect(await (await fetch(`${base}/ping`)).text()).toBe("pong");
      expect((await fetch(`${base}/ready`)).status).toBe(200);
      expect(await (await fetch(`${base}/metrics`)).text()).toContain("# TYPE causeway_sessions gauge");
    } finally {
      await ts.server.stop();
    }
  });
});

describe("authentication failures", () => {
  test("a wrong ticket counts in causeway_auth_failures_total", async () => {
    const ts = await startTestServer((cfg) => {
      cfg.limits.authFailureDelayMs = 0;
      cfg.realms.push({
        ...cfg.realms[0], name: "secure", anonymous: false,
        security: {
          ...cfg.realms[0].security, enabled: true, authmethods: ["ticket"],
          users: [{ authid: "alice", tickets: ["right"], groups: [], enabled: true, meta: {} }],
        },
      } as typeof cfg.realms[number]);
    });
    try {
      const c = new MessageClient(await connectWebSocket(ts.wsUrl, jsonSerializer));
      c.send({ type: T.HELLO, realm: "secure", details: { roles: { caller: {} }, authmethods: ["ticket"], authid: "alice" } });
      await c.nextOfType(T.CHALLENGE);
      c.send({ type: T.AUTHENTICATE, signature: "wrong", extra: {} });
      expect((await c.nextOfType<Abort>(T.ABORT)).reason).toBe("wamp.error.authentication_failed");
      const base = ts.wsUrl.replace(/^ws:/, "http:").replace(/\/ws$/, "");
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(sample(text, "causeway_auth_failures_total")).toBe(1);
      expect(sample(text, 'causeway_messages_out_total{type="CHALLENGE"}')).toBe(1);
    } finally {
      await ts.server.stop();
    }
  });
});
