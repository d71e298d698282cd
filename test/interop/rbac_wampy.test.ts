// RBAC seen by wampy (npm, MessagePack) against a router process whose realm has security
// enabled from the config: the anonymous principal may call one procedure and is refused
// another with ERROR wamp.error.not_authorized naming the permission and the URI.
import { expect, test } from "bun:test";
import { routerProcessForFile, withTimeout } from "./_client.ts";
import { securedRealmConfig } from "./_security.ts";
import { RawWampyClients } from "./_wampy.ts";

const clients = new RawWampyClients();
const router = routerProcessForFile(
  securedRealmConfig({
    authmethods: ["anonymous"],
    sources: [
      { cidr: "0.0.0.0/0", authmethods: ["anonymous"], to: "anonymous" },
      { cidr: "::/0", authmethods: ["anonymous"], to: "anonymous" },
    ],
    grants: [
      { permissions: ["wamp.register"], uri: "com.example.rbac.", match: "prefix", to: "anonymous" },
      { permissions: ["wamp.call"], uri: "com.example.rbac.open", to: "anonymous" },
    ],
  }),
  () => clients.disconnectAll(),
);

test("wampy: the granted call succeeds, the other is refused with not_authorized naming permission and URI", async () => {
  const callee = await clients.connect(router.wsUrl, "msgpack");
  const caller = await clients.connect(router.wsUrl, "msgpack");
  await callee.register("com.example.rbac.open", () => ({ argsList: ["opened"] }));
  await callee.register("com.example.rbac.closed", () => ({ argsList: ["never"] }));
  const ok = await withTimeout(caller.call("com.example.rbac.open"), 5000, "call");
  expect((ok as { argsList: unknown[] }).argsList).toEqual(["opened"]);

  let error: { errorUri?: string; argsList?: unknown[]; argsDict?: Record<string, unknown> } | undefined;
  try {
    await withTimeout(caller.call("com.example.rbac.closed"), 5000, "call");
  } catch (err) {
    error = err as typeof error;
  }
  expect(error?.errorUri).toBe("wamp.error.not_authorized");
  expect(error?.argsList).toEqual(['permission wamp.call on "com.example.rbac.closed" is not granted to anonymous']);
  expect(error?.argsDict).toEqual({ permission: "wamp.call", uri: "com.example.rbac.closed" });
});
