// The router run from source by Deno (`deno run -A mod.ts`): real clients complete full round
// trips over RawSocket (python3-autobahn with CBOR; autobahn-js with JSON) and a call and a
// publication over WebSocket (wampy, JSON and MessagePack) — RawSocket first, so a WebSocket
// failure that takes the process down does not hide how RawSocket fares. test/run.ts also runs this file under
// `deno test`, where the harness and wampy run inside Deno too.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type RouterProcess, startRouterProcess } from "../_harness/router_process.ts";
import { Inbox, withTimeout } from "./_client.ts";
import { connectAutobahn } from "./_autobahn.ts";
import { startPythonPeer } from "./_python.ts";
import { connectWampy } from "./_wampy.ts";

let router: RouterProcess;
beforeAll(async () => {
  router = await startRouterProcess({ runtime: "deno", readyTimeoutMs: 30_000 });
}, 40_000);
afterAll(async () => {
  await router?.stop();
});

describe("router on Deno", () => {
  test("logs listening lines for both listeners on 127.0.0.1 with real ports", () => {
    expect(router.listeners.ws).toMatchObject({ transport: "websocket", host: "127.0.0.1" });
    expect(router.listeners.rawsocket).toMatchObject({ transport: "rawsocket", host: "127.0.0.1" });
    expect(router.listeners.ws.port).toBeGreaterThan(0);
    expect(router.rawsocketPort).toBeGreaterThan(0);
    expect(router.wsUrl).toBe(`ws://127.0.0.1:${router.listeners.ws.port}/ws`);
  });

  test("python3-autobahn completes RPC and pub/sub over RawSocket with CBOR", async () => {
    const url = `rs://127.0.0.1:${router.rawsocketPort}`;
    const responder = startPythonPeer("responder", url, "cbor", "deno.rs");
    try {
      await responder.waitFor("ready", 10_000);
      const requester = startPythonPeer("requester", url, "cbor", "deno.rs");
      const asked = await requester.waitFor("add2", 10_000);
      const heard = await responder.waitFor("events", 10_000);
      expect(asked.add2).toBe(5);
      expect((asked.fail as { error: string }).error).toBe("com.example.error.too_big");
      expect(heard.events).toEqual([
        { args: ["hello", 7], kwargs: { from: "py", tags: ["x"] } },
        { args: ["second"], kwargs: {} },
      ]);
      expect([await requester.exit(5_000), await responder.exit(5_000)]).toEqual([0, 0]);
    } finally {
      responder.process.kill("SIGKILL");
    }
  }, 30_000);

  test("autobahn-js completes a call over RawSocket with JSON", async () => {
    const transport = { type: "rawsocket", host: "127.0.0.1", port: router.rawsocketPort } as const;
    const callee = await withTimeout(connectAutobahn(transport), 10_000, "callee joins");
    const caller = await withTimeout(connectAutobahn(transport), 10_000, "caller joins");
    await callee.register("com.example.deno.rs.echo", (call) => call);
    expect(await withTimeout(caller.call("com.example.deno.rs.echo", ["a"], { b: 2 }), 5_000, "call"))
      .toEqual({ args: ["a"], kwargs: { b: 2 } });
    await withTimeout(callee.close(), 5_000, "callee leaves");
    await withTimeout(caller.close(), 5_000, "caller leaves");
    expect(router.running()).toBe(true);
  });

  for (const serializer of ["json", "msgpack"] as const) {
    test(`wampy (${serializer}) completes a call and a publication over WebSocket`, async () => {
      const callee = await withTimeout(connectWampy(router.wsUrl, serializer), 10_000, "callee joins");
      const caller = await withTimeout(connectWampy(router.wsUrl, serializer), 10_000, "caller joins");
      const procedure = `com.example.deno.${serializer}.add2`;
      await callee.register(procedure, ({ args }) => ({ args: [(args[0] as number) + (args[1] as number)], kwargs: {} }));
      expect(await withTimeout(caller.call(procedure, [2, 3]), 5_000, "call")).toEqual({ args: [5], kwargs: {} });

      const inbox = new Inbox();
      await callee.subscribe(`com.example.deno.${serializer}.news`, inbox.push);
      const id = await caller.publish(`com.example.deno.${serializer}.news`, ["hi"], { n: 1 }, { acknowledge: true });
      expect(Number.isSafeInteger(id) && (id as number) > 0).toBe(true);
      expect(await inbox.next(5_000)).toEqual({ args: ["hi"], kwargs: { n: 1 } });

      await withTimeout(callee.close(), 5_000, "callee leaves");
      await withTimeout(caller.close(), 5_000, "caller leaves");
      expect(router.running()).toBe(true);
    });
  }

  test("exits 0 on SIGTERM", async () => {
    expect(await router.stop()).toBe(0);
  });
});
