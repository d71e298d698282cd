import { describe, expect, test } from "bun:test";
import { startRouterProcess } from "../_harness/router_process.ts";

/** The router as an operator runs it: after the "ready" line, /ready answers 200. */
for (const runtime of ["bun", "deno"] as const) {
  describe(`ops endpoints of a ${runtime} router process`, () => {
    test("/ready is 200 after \"ready\"; /ping and /metrics answer on the WebSocket port and on the http listener", async () => {
      const router = await startRouterProcess({ runtime, config: { http: { host: "127.0.0.1", port: 0 } } });
      try {
        const ws = router.listeners.ws;
        const http = router.listeners.http;
        expect(http.transport).toBe("http");
        for (const base of [`http://127.0.0.1:${ws.port}`, `http://127.0.0.1:${http.port}`]) {
          const ready = await fetch(`${base}/ready`);
          expect(ready.status).toBe(200);
          expect(await ready.json()).toEqual({ ready: true });
          expect(await (await fetch(`${base}/ping`)).text()).toBe("pong");
          const metrics = await (await fetch(`${base}/metrics`)).text();
          expect(metrics).toContain("# TYPE causeway_call_duration_seconds histogram");
          expect(metrics).toMatch(/\ncauseway_process_resident_memory_bytes [1-9]\d*\n/);
        }
      } finally {
        expect(await router.stop()).toBe(0);
      }
    });
  });
}
