// autobahn-js (npm) against the router process: WebSocket with JSON, MessagePack and CBOR, and
// RawSocket (autobahn-js speaks RawSocket with JSON only).
import { describe, expect, test } from "bun:test";
import { routerProcessForFile, withTimeout } from "./_client.ts";
import { autobahn, connectAutobahn } from "./_autobahn.ts";
import { rpcAndPubSubScenarios } from "./_scenarios.ts";

const router = routerProcessForFile();

for (const serializer of ["json", "msgpack", "cbor"] as const) {
  describe(`autobahn-js over WebSocket with ${serializer}`, () => {
    rpcAndPubSubScenarios({
      connect: () => connectAutobahn({ type: "websocket", url: router.wsUrl, serializer }),
      routerRunning: () => router.running(),
      tag: `autobahn.ws.${serializer}`,
    });
  });
}

describe("autobahn-js over RawSocket with json", () => {
  rpcAndPubSubScenarios({
    connect: () => connectAutobahn({ type: "rawsocket", host: "127.0.0.1", port: router.rawsocketPort }),
    routerRunning: () => router.running(),
    tag: "autobahn.rawsocket.json",
  });
});

test("on SIGTERM a joined session gets GOODBYE wamp.close.system_shutdown and the router exits 0", async () => {
  const closed = new Promise<{ reason: string; details: { reason: string | null } }>((resolve, reject) => {
    const connection = new autobahn.Connection({
      realm: "realm1",
      transports: [{ type: "websocket", url: router.wsUrl, serializers: [new autobahn.serializer.JSONSerializer()] }],
      max_retries: 0,
      retry_if_unreachable: false,
    });
    let joined = false;
    connection.onopen = () => {
      joined = true;
      router.stop().catch(reject);
    };
    connection.onclose = (reason, details) => {
      if (joined) resolve({ reason, details });
      else reject(new Error(`closed before joining: ${reason}`));
      return true;
    };
    connection.open();
  });
  const { reason, details } = await withTimeout(closed, 10_000, "session closed by shutdown");
  expect(details.reason).toBe("wamp.close.system_shutdown");
  expect(reason).toBe("closed");
  expect(await router.stop()).toBe(0);
});
