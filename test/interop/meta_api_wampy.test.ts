// The WAMP meta API seen by wampy against the router process: session meta events received by
// a wampy subscriber and the session procedures called by wampy, over JSON and MessagePack.
import { describe, expect, test } from "bun:test";
import { Inbox, InteropClients, routerProcessForFile } from "./_client.ts";
import { connectWampy, type WampySerializer } from "./_wampy.ts";

const open = new InteropClients();
const router = routerProcessForFile({}, () => open.closeAll());

/** wampy's msgpackr decodes every uint64 above 2^32 (session ids) as a BigInt. */
const num = (v: unknown) => typeof v === "bigint" ? Number(v) : v;

describe("meta API with wampy", () => {
  for (const serializer of ["json", "msgpack"] as WampySerializer[]) {
    test(`wampy (${serializer}) receives on_join and on_leave and calls count, list and get`, async () => {
      const watcher = await open.track(connectWampy(router.wsUrl, serializer));
      const joins = new Inbox();
      const leaves = new Inbox();
      await watcher.subscribe("wamp.session.on_join", joins.push);
      await watcher.subscribe("wamp.session.on_leave", leaves.push);
      const other = await connectWampy(router.wsUrl, serializer);
      const join = await joins.next(5000, "on_join");
      const details = join.args[0] as Record<string, unknown>;
      expect(num(details.session)).toBe(other.sessionId);
      expect(details).toMatchObject({ authrole: "anonymous", authmethod: "anonymous", transport: { type: "websocket", serializer } });

      const count = num((await watcher.call("wamp.session.count")).args[0]) as number;
      const list = ((await watcher.call("wamp.session.list")).args[0] as unknown[]).map(num);
      expect(list).toContain(other.sessionId);
      expect(list.length).toBe(count);
      const got = (await watcher.call("wamp.session.get", [other.sessionId])).args[0] as Record<string, unknown>;
      expect(num(got.session)).toBe(other.sessionId);

      await other.close();
      const leave = await leaves.next(5000, "on_leave");
      expect([num(leave.args[0]), leave.args[2]]).toEqual([other.sessionId, "anonymous"]);
    });
  }
});
