import { describe, expect, test } from "bun:test";
import { createOpsApp } from "../../src/gateway/ops.ts";
import { PeerMetrics } from "../../src/gateway/peer_metrics.ts";
import { Counters } from "../../src/util/counters.ts";
import type { Router } from "../../src/router/mod.ts";

const router = { realmNames: () => [], realm: () => undefined } as unknown as Router;

describe("the ops app", () => {
  test("/ready is 503 with the reason until ready, then 200", async () => {
    let why: string | undefined = "starting: not all listeners are bound yet";
    const app = createOpsApp({ router, counters: new Counters(), peers: new PeerMetrics(), notReady: () => why });
    const before = await app.request("/ready");
    expect(before.status).toBe(503);
    expect(await before.json()).toEqual({ ready: false, reason: "starting: not all listeners are bound yet" });
    why = undefined;
    expect((await app.request("/ready")).status).toBe(200);
  });

  test("/metrics exports the router counters under causeway_* names", async () => {
    const counters = new Counters();
    counters.inc("calls", 3);
    counters.inc("slow_consumers_closed");
    counters.inc("hello_timeouts", 2);
    counters.inc("requests_rate_limited");
    const app = createOpsApp({ router, counters, peers: new PeerMetrics(), notReady: () => undefined });
    const text = await (await app.request("/metrics")).text();
    expect(text).toContain("\ncauseway_calls_total 3\n");
    expect(text).toContain("\ncauseway_slow_consumers_closed_total 1\n");
    expect(text).toContain("\ncauseway_hello_timeouts_total 2\n");
    expect(text).toContain("\ncauseway_requests_rate_limited_total 1\n");
  });
});

describe("PeerMetrics", () => {
  test("counts messages by type both ways, error URIs, auth failures and CALL→RESULT latency", () => {
    let now = 1000;
    const m = new PeerMetrics(() => now);
    const sent: unknown[] = [];
    const inner = {
      details: { transport: "websocket", serializer: "json" }, buffered: 0, overLimit: false, closed: false,
      send: (msg: unknown) => (sent.push(msg), true), close: () => {}, onMessage: (_: unknown) => {}, onClose: () => {},
    };
    // deno-lint-ignore no-explicit-any
    const peer = m.wrap(inner as any);
    const got: unknown[] = [];
    peer.onMessage = (msg) => got.push(msg);
    // deno-lint-ignore no-explicit-any
    (inner.onMessage as any)({ type: 48, request: 1, options: {}, procedure: "p" });
    now += 20;
    peer.send({ type: 50, request: 1, details: {} });
    // deno-lint-ignore no-explicit-any
    (inner.onMessage as any)({ type: 48, request: 2, options: {}, procedure: "p" });
    now += 3000;
    peer.send({ type: 8, requestType: 48, request: 2, details: {}, error: "com.example.oops" });
    peer.send({ type: 3, details: {}, reason: "wamp.error.authentication_failed" });
    expect(got.length).toBe(2);
    expect(sent.length).toBe(3);
    expect(m.messageRows()).toEqual([["ABORT", 0, 1], ["ERROR", 0, 1], ["CALL", 2, 0], ["RESULT", 0, 1]]);
    expect([...m.errorsByUri]).toEqual([["com.example.oops", 1]]);
    expect(m.authFailures).toBe(1);
    expect(m.callLatency.count).toBe(2);
    expect(m.callLatency.sum).toBeCloseTo(3.02, 9);
  });
});

describe("store errors", () => {
  test("a failing store operation counts in store_errors and still throws", async () => {
    const { countingStoreErrors } = await import("../../src/server.ts");
    const { createMemoryStore } = await import("../../src/store/mod.ts");
    const counters = new Counters();
    const inner = createMemoryStore();
    const store = countingStoreErrors({ ...inner, location: inner.location, put: () => { throw new Error("disk full"); }, get: (k: string) => inner.get(k) } as typeof inner, counters);
    expect(() => store.put("k", 1)).toThrow("disk full");
    expect(store.get("k")).toBeUndefined();
    expect(counters.get("store_errors")).toBe(1);
    const app = createOpsApp({ router, counters, peers: new PeerMetrics(), notReady: () => undefined });
    expect(await (await app.request("/metrics")).text()).toContain("\ncauseway_store_errors_total 1\n");
  });
});
