// The node-protection limits against the router process with real clients: autobahn-js sessions
// (WebSocket and RawSocket) for maxSessions and requestsPerSecond, a bare WebSocket for the
// HELLO timeout.
import { describe, expect, test } from "bun:test";
import { startRouterProcess } from "../_harness/router_process.ts";
import { connectAutobahn } from "./_autobahn.ts";
import { ApplicationError, type InteropClient } from "./_client.ts";

describe("limits against the router process (autobahn-js)", () => {
  test("maxSessions, requestsPerSecond and helloTimeoutMs", async () => {
    const rp = await startRouterProcess({ config: { limits: { maxSessions: 2, requestsPerSecond: 5, helloTimeoutMs: 300 } } });
    const clients: InteropClient[] = [];
    try {
      clients.push(await connectAutobahn({ type: "websocket", url: rp.wsUrl, serializer: "json" }));
      clients.push(await connectAutobahn({ type: "rawsocket", host: "127.0.0.1", port: rp.rawsocketPort }));
      const third = await connectAutobahn({ type: "websocket", url: rp.wsUrl, serializer: "json" }).then(() => "joined", (e: Error) => e.message);
      expect(third).toContain("causeway.error.too_many_sessions");

      const [callee, caller] = clients;
      await callee.register("com.example.echo", async (p) => p);
      // 20 calls at once with a 5/s budget: the burst passes, the rest get rate_limited.
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) =>
        caller.call("com.example.echo", [i]).then(() => "ok", (e) => (e instanceof ApplicationError ? e.uri : String(e)))
      ));
      const ok = outcomes.filter((o) => o === "ok").length;
      expect(ok).toBeGreaterThanOrEqual(5);
      expect(ok).toBeLessThan(8);
      expect(outcomes.filter((o) => o === "causeway.error.rate_limited").length).toBe(20 - ok);
      // The session stays; after a pause calls pass again.
      await new Promise((r) => setTimeout(r, 1000));
      expect((await caller.call("com.example.echo", ["later"])).args).toEqual(["later"]);

      // A WebSocket that never sends HELLO gets ABORT causeway.close.hello_timeout, then the close.
      const ws = new WebSocket(rp.wsUrl, ["wamp.2.json"]);
      const started = Date.now();
      const [frame, closedAfter] = await new Promise<[string, number]>((resolve, reject) => {
        let got = "";
        ws.onmessage = (e) => (got = String(e.data));
        ws.onclose = () => resolve([got, Date.now() - started]);
        setTimeout(() => reject(new Error("not closed within 3 s")), 3000);
      });
      expect(JSON.parse(frame)).toEqual([3, { message: "no HELLO within 300 ms" }, "causeway.close.hello_timeout"]);
      expect(closedAfter).toBeGreaterThanOrEqual(250);
    } finally {
      for (const c of clients) await c.close().catch(() => {});
      expect(await rp.stop()).toBe(0);
    }
  }, 30_000);
});
