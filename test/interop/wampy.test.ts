// wampy (npm) against the router process: WebSocket with JSON, MessagePack (msgpackr) and CBOR
// (cbor-x). wampy has no RawSocket transport.
import { describe, expect, test } from "bun:test";
import { routerProcessForFile } from "./_client.ts";
import { connectWampy } from "./_wampy.ts";
import { rpcAndPubSubScenarios } from "./_scenarios.ts";

const router = routerProcessForFile();

for (const serializer of ["json", "msgpack", "cbor"] as const) {
  describe(`wampy over WebSocket with ${serializer}`, () => {
    rpcAndPubSubScenarios({
      connect: () => connectWampy(router.wsUrl, serializer),
      routerRunning: () => router.running(),
      tag: `wampy.ws.${serializer}`,
      // wampy 8.0.2 builds PUBLISH options with `...exclude_me ? { exclude_me } : {}`, so
      // `exclude_me: false` never reaches the router.
      sendsExcludeMeFalse: false,
    });
  });
}

test("the router exits 0 on SIGTERM after the wampy sessions left", async () => {
  expect(router.running()).toBe(true);
  expect(await router.stop()).toBe(0);
});
