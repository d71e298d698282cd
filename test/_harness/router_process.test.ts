// The router-process harness against the real `bun mod.ts`: port-0 listeners, the log lines it
// parses, a config file, and the contract that SIGTERM ends the process with exit code 0.
import { describe, expect, test } from "bun:test";
import { startRouterProcess } from "./router_process.ts";

describe("startRouterProcess", () => {
  test("starts on port-0 listeners and reports their addresses from the listening lines", async () => {
    const router = await startRouterProcess();
    try {
      expect(router.host).toBe("127.0.0.1");
      expect(router.listeners.ws).toMatchObject({ msg: "listening", transport: "websocket", host: "127.0.0.1" });
      expect(router.listeners.rawsocket).toMatchObject({ msg: "listening", transport: "rawsocket", host: "127.0.0.1" });
      expect(router.wsUrl).toBe(`ws://127.0.0.1:${router.listeners.ws.port}/ws`);
      expect(router.rawsocketPort).toBe(router.listeners.rawsocket.port);
      expect(router.rawsocketPort).toBeGreaterThan(0);
      expect(router.logs.some((l) => JSON.parse(l).msg === "ready")).toBe(true);
    } finally {
      await router.stop();
    }
  });

  test("passes a config object as --config and keeps the port-0 env overrides", async () => {
    const router = await startRouterProcess({
      config: {
        listeners: [
          { name: "ws", transport: "websocket", port: 8080, path: "/wamp" },
          { name: "rawsocket", transport: "rawsocket", port: 8081 },
        ],
        realms: [{ name: "com.example.realm" }],
      },
    });
    try {
      expect(router.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/wamp$/);
      expect(router.listeners.ws.port).not.toBe(8080);
      const ready = router.logs.map((l) => JSON.parse(l)).find((e) => e.msg === "ready");
      expect(ready.realms).toEqual(["com.example.realm"]);
    } finally {
      await router.stop();
    }
  });

  test("reports a router that exits before ready, with its output", async () => {
    const error = await startRouterProcess({ config: { listeners: [{ name: "ws", transport: "carrier-pigeon", port: 1 }] } })
      .then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/router exited with code [1-9]\d* before "ready"/);
    expect(error?.message).toContain("transport");
  });

  test("a router stopped right after ready still exits 0 on SIGTERM", async () => {
    // "ready" promises a running router: SIGTERM handling must be in place by then.
    const router = await startRouterProcess();
    expect(await router.stop()).toBe(0);
    expect(router.logs.map((l) => l.startsWith("{") ? JSON.parse(l).msg : l)).toContain("stopped");
  });
});
