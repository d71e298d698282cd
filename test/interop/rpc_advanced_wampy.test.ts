// Advanced RPC seen by wampy (npm) against the router process: payload passthru mode options
// carried both ways, a CANCEL in wampy's default mode (none: the router's default killnowait,
// handled as skip for wampy's callee, which does not announce call canceling) and a
// router-enforced call timeout, over WebSocket with JSON and MessagePack.
import { describe, expect, test } from "bun:test";
import { hangingEndpoint, routerProcessForFile, withTimeout } from "./_client.ts";
import { RawWampyClients } from "./_wampy.ts";

const clients = new RawWampyClients();
const router = routerProcessForFile({}, () => clients.disconnectAll());
const connect = (serializer: "json" | "msgpack") => clients.connect(router.wsUrl, serializer);

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
      const hang = hangingEndpoint();
      await callee.register(`${t}.hang`, hang.endpoint);
      const call = caller.call(`${t}.hang`);
      const reqId = caller.getOpStatus().reqId!;
      await withTimeout(hang.invoked, 5000, "invocation");
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
