// Advanced RPC seen by wampy (npm) against the router process: payload passthru mode options
// carried both ways, a CANCEL in wampy's default mode (none: the router's default killnowait,
// handled as skip for wampy's callee, which does not announce call canceling) and a
// router-enforced call timeout, over WebSocket with JSON and MessagePack.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Wampy } from "wampy";
import { JsonSerializer } from "wampy/JsonSerializer.js";
import { MsgpackSerializer } from "wampy/MsgpackSerializer.js";
import WebSocket from "ws";
import { type RouterProcess, startRouterProcess } from "../_harness/router_process.ts";
import { withTimeout } from "./_client.ts";

let router: RouterProcess;
const clients: Wampy[] = [];
beforeAll(async () => {
  router = await startRouterProcess();
});
afterAll(async () => {
  for (const c of clients) await c.disconnect().catch(() => {});
  await router?.stop();
});

async function connect(serializer: "json" | "msgpack"): Promise<Wampy> {
  const client = new Wampy(router.wsUrl, {
    realm: "realm1",
    autoReconnect: false,
    ws: WebSocket as unknown as NonNullable<ConstructorParameters<typeof Wampy>[1]>["ws"],
    serializer: serializer === "json" ? new JsonSerializer() : new MsgpackSerializer(),
  });
  clients.push(client);
  await withTimeout(client.connect(), 5000, "wampy connect");
  return client;
}

async function errorUri(p: Promise<unknown>): Promise<string> {
  try {
    await withTimeout(p, 5000, "call");
  } catch (e) {
    return String((e as { errorUri?: string }).errorUri ?? (e as Error).message);
  }
  return "no error";
}

for (const serializer of ["json", "msgpack"] as const) {
  describe(`wampy advanced RPC over WebSocket with ${serializer}`, () => {
    const t = `com.example.rpcadv.wampy.${serializer}`;

    test("ppt_* options travel from CALL to INVOCATION and from YIELD to RESULT", async () => {
      const callee = await connect(serializer);
      const caller = await connect(serializer);
      await callee.register(`${t}.ppt`, ({ details, argsList }) => ({
        options: { ppt_scheme: "x_custom", ppt_serializer: "native" },
        argsList: [details.ppt_scheme, details.ppt_serializer, ...(argsList ?? [])],
      }));
      const res = await withTimeout(
        caller.call(`${t}.ppt`, { argsList: [1, "x"] }, { ppt_scheme: "x_custom", ppt_serializer: "native" }),
        5000, "ppt call",
      );
      expect(res.argsList).toEqual(["x_custom", "native", 1, "x"]);
      expect(res.details).toMatchObject({ ppt_scheme: "x_custom", ppt_serializer: "native" });
    });

    test("cancel fails the pending call with wamp.error.canceled", async () => {
      const callee = await connect(serializer);
      const caller = await connect(serializer);
      let invoked!: () => void;
      const started = new Promise<void>((r) => (invoked = r));
      await callee.register(`${t}.hang`, () => {
        invoked();
        return new Promise(() => {});
      });
      const call = caller.call(`${t}.hang`);
      const reqId = caller.getOpStatus().reqId!;
      await withTimeout(started, 5000, "invocation");
      caller.cancel(reqId);
      expect(await errorUri(call)).toBe("wamp.error.canceled");
    });

    test("a call past its timeout fails with wamp.error.timeout", async () => {
      const callee = await connect(serializer);
      const caller = await connect(serializer);
      await callee.register(`${t}.never`, () => new Promise(() => {}));
      expect(await errorUri(caller.call(`${t}.never`, undefined, { timeout: 200 }))).toBe("wamp.error.timeout");
    });
  });
}
