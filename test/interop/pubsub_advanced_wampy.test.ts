// Advanced pub/sub features seen by wampy (npm) against the router process, over WebSocket with
// JSON, MessagePack and CBOR: prefix/wildcard subscriptions with EVENT.Details.topic, publisher
// identification, get_retained, and an exclude_authrole list. wampy 8.0.2 checks but never
// sends PUBLISH.Options.retain, so autobahn-js publishes the retained event here.
import { describe, expect, test } from "bun:test";
import type { Wampy } from "wampy";
import { routerProcessForFile, withTimeout } from "./_client.ts";
import { connectAutobahn } from "./_autobahn.ts";
import { RawWampyClients, type WampySerializer } from "./_wampy.ts";

type Details = Record<string, unknown>;
interface Seen {
  args: unknown[];
  details: Details;
}

// wampy's msgpackr decodes uint64 ids as BigInt (see _wampy.ts): compare ids as numbers.
const num = (v: unknown): number => Number(v);

const clients = new RawWampyClients();
const router = routerProcessForFile({}, () => clients.disconnectAll());
const connect = (serializer: WampySerializer) => clients.connect(router.wsUrl, serializer);

/** Subscribes and returns a function awaiting the next event of this subscription. */
async function events(c: Wampy, topic: string, options?: Record<string, unknown>): Promise<{ next(): Promise<Seen>; queued: Seen[] }> {
  const queued: Seen[] = [];
  const waiters: ((s: Seen) => void)[] = [];
  await c.subscribe(topic, ({ details, argsList }: { details: Details; argsList?: unknown[] }) => {
    const s = { args: argsList ?? [], details };
    const w = waiters.shift();
    if (w) w(s);
    else queued.push(s);
  }, options);
  return {
    queued,
    next: () => {
      const s = queued.shift();
      return s ? Promise.resolve(s) : withTimeout(new Promise<Seen>((r) => waiters.push(r)), 5000, `event on ${topic}`);
    },
  };
}

for (const serializer of ["json", "msgpack", "cbor"] as const) {
  describe(`wampy advanced pub/sub over WebSocket with ${serializer}`, () => {
    const t = `com.example.wampyadv.${serializer}`;

    test("prefix and wildcard subscriptions carry the concrete topic; disclose_me names the publisher", async () => {
      const sub = await connect(serializer);
      const pub = await connect(serializer);
      const prefix = await events(sub, `${t}.room`, { match: "prefix" });
      const wild = await events(sub, `${t}..temp`, { match: "wildcard" });
      // wampy's publish asks for acknowledgement and resolves on PUBLISHED.
      await pub.publish(`${t}.room7.temp`, { argsList: [7] }, { disclose_me: true });
      const p = await prefix.next();
      const w = await wild.next();
      expect(p.args).toEqual([7]);
      expect(p.details.topic).toBe(`${t}.room7.temp`);
      expect(w.details.topic).toBe(`${t}.room7.temp`);
      expect(num(p.details.publisher)).toBe(num(pub.getSessionId()));
      expect(p.details.publisher_authrole).toBe("anonymous");
    });

    test("get_retained delivers the retained event; exclude_authrole keeps a later event from everyone", async () => {
      const retainer = await connectAutobahn({ type: "websocket", url: router.wsUrl, serializer: "json" });
      // The adapter passes options through to autobahn-js; its type only names the common ones.
      const retain = { retain: true, acknowledge: true };
      await retainer.publish(`${t}.status`, ["up"], {}, retain);
      await retainer.close();
      const pub = await connect(serializer);
      const sub = await connect(serializer);
      const status = await events(sub, `${t}.status`, { get_retained: true });
      const first = await status.next();
      expect(first).toEqual({ args: ["up"], details: { retained: true } });
      await pub.publish(`${t}.status`, { argsList: ["hidden"] }, { exclude_authrole: ["anonymous"] });
      await pub.publish(`${t}.status`, { argsList: ["seen"] });
      expect((await status.next()).args).toEqual(["seen"]);
      expect(status.queued).toEqual([]);
    });
  });
}
