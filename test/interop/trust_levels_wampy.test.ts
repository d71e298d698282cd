// Call and publication trust levels seen by wampy (npm), which hands handlers the raw
// INVOCATION/EVENT details: a router process whose realm rates anonymous sessions at level 1.
import { expect, test } from "bun:test";
import { routerProcessForFile, withTimeout } from "./_client.ts";
import { RawWampyClients } from "./_wampy.ts";

const clients = new RawWampyClients();
const router = routerProcessForFile(
  {
    config: {
      listeners: [{ name: "ws", transport: "websocket", port: 0 }],
      realms: [{ name: "realm1", trustLevels: { anonymous: 1 } }],
    },
  },
  () => clients.disconnectAll(),
);
const connect = () => clients.connect(router.wsUrl, "json");

test("wampy sees the realm's trust level in INVOCATION and EVENT details", async () => {
  const callee = await connect();
  const caller = await connect();
  let invocationDetails: Record<string, unknown> | undefined;
  await callee.register("com.example.trust.p", ({ details }: { details: Record<string, unknown> }) => {
    invocationDetails = details;
    return { argsList: ["ok"] };
  });
  const result = await withTimeout(caller.call("com.example.trust.p"), 5000, "call");
  expect((result as { argsList: unknown[] }).argsList).toEqual(["ok"]);
  expect(invocationDetails?.trustlevel).toBe(1);

  let heardEvent!: (d: Record<string, unknown>) => void;
  const heard = new Promise<Record<string, unknown>>((resolve) => (heardEvent = resolve));
  await callee.subscribe("com.example.trust.t", ({ details }: { details: Record<string, unknown> }) => heardEvent(details));
  await caller.publish("com.example.trust.t", { argsList: [1] });
  expect((await withTimeout(heard, 5000, "event")).trustlevel).toBe(1);
});
