// RBAC seen by Debian's python3-autobahn over RawSocket and WebSocket (py/rbac_peer.py): on a
// realm with security enabled from the config, an anonymous session may call the granted
// procedure; the other call fails with wamp.error.not_authorized naming permission and URI.
import { expect, test } from "bun:test";
import { routerProcessForFile } from "./_client.ts";
import { loopbackSources, securedRealmConfig } from "./_security.ts";
import { startPythonScript } from "./_python.ts";

const router = routerProcessForFile(securedRealmConfig({
  authmethods: ["anonymous"],
  sources: loopbackSources(["anonymous"], "anonymous"),
  grants: [
    { permissions: ["wamp.register"], uri: "com.example.rbac.", match: "prefix", to: "anonymous" },
    { permissions: ["wamp.call"], uri: "com.example.rbac.open", to: "anonymous" },
  ],
}, { listeners: [{ name: "rs", transport: "rawsocket", port: 0 }] }));

for (const [name, url, serializer] of [
  ["RawSocket with CBOR", () => `rs://127.0.0.1:${router.rawsocketPort}`, "cbor"],
  ["WebSocket with JSON", () => router.wsUrl, "json"],
] as const) {
  test(`python3-autobahn over ${name}: granted call passes, the other gets not_authorized`, async () => {
    const peer = startPythonScript("rbac_peer.py", [url(), serializer]);
    try {
      expect((await peer.waitFor("open", 10_000)).open).toBe("opened");
      expect((await peer.waitFor("closed", 10_000)).closed).toEqual({
        error: "wamp.error.not_authorized",
        args: ['permission wamp.call on "com.example.rbac.closed" is not granted to anonymous'],
        kwargs: { permission: "wamp.call", uri: "com.example.rbac.closed" },
      });
      expect(await peer.exit(5_000)).toBe(0);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${peer.output.join("\n")}`);
    }
  }, 30_000);
}
