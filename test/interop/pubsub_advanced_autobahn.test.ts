// Advanced pub/sub features seen by autobahn-js (npm) against the router process: event
// retention (get_retained), pattern-based subscriptions (EVENT.Details.topic), publisher
// identification and subscriber black/white listing, over WebSocket with JSON and MessagePack.
import { describe, expect, test } from "bun:test";
import { routerProcessForFile, withTimeout } from "./_client.ts";
import { type RawAutobahnConnection, RawAutobahnSessions } from "./_autobahn.ts";

interface EventInfo {
  topic?: string;
  publisher?: number;
  publisher_authid?: string;
  publisher_authrole?: string;
  retained?: boolean;
}
type Handler = (args: unknown[], kwargs: Record<string, unknown>, details: EventInfo) => void;
interface RawSession {
  id: number;
  subscribe(topic: string, handler: Handler, options?: object): PromiseLike<unknown>;
  publish(topic: string, args: unknown[], kwargs: object, options: object): PromiseLike<{ id: number } | undefined>;
}

interface Received {
  args: unknown[];
  details: EventInfo;
}

/** An autobahn-js session plus the events it receives, awaited one by one. */
class AbClient {
  private readonly queue: Received[] = [];
  private readonly waiters: ((r: Received) => void)[] = [];
  constructor(readonly session: RawSession, readonly connection: RawAutobahnConnection<RawSession>) {}

  handler: Handler = (args, _kwargs, details) => {
    const r = { args, details };
    const w = this.waiters.shift();
    if (w) w(r);
    else this.queue.push(r);
  };

  next(what: string): Promise<Received> {
    const r = this.queue.shift();
    if (r) return Promise.resolve(r);
    return withTimeout(new Promise<Received>((resolve) => this.waiters.push(resolve)), 5000, what);
  }

  /** Events received so far and not awaited. */
  pending(): Received[] {
    return this.queue.splice(0);
  }
}

const sessions = new RawAutobahnSessions();
const router = routerProcessForFile({}, () => sessions.closeAll());

async function connect(serializer: "json" | "msgpack"): Promise<AbClient> {
  const { session, connection } = await sessions.connect<RawSession>(router.wsUrl, serializer);
  return new AbClient(session, connection);
}

/** A publication the router has acknowledged (so it has been routed before we go on). */
async function published(c: AbClient, topic: string, args: unknown[], options: object = {}): Promise<number> {
  const p = await c.session.publish(topic, args, {}, { acknowledge: true, ...options });
  return p!.id;
}

for (const serializer of ["json", "msgpack"] as const) {
  describe(`autobahn-js advanced pub/sub over WebSocket with ${serializer}`, () => {
    const t = `com.example.adv.${serializer}`;

    test("a late subscriber asking get_retained receives the retained event marked retained", async () => {
      const pub = await connect(serializer);
      await published(pub, `${t}.temp`, [20], { retain: true });
      const publication = await published(pub, `${t}.temp`, [21], { retain: true });
      const sub = await connect(serializer);
      await sub.session.subscribe(`${t}.temp`, sub.handler, { get_retained: true });
      const ev = await sub.next("retained event");
      expect(ev.args).toEqual([21]);
      expect(ev.details.retained).toBe(true);
      expect(Number((ev.details as { publication?: number }).publication)).toBe(Number(publication));
      // A plain subscriber gets nothing retained.
      const plain = await connect(serializer);
      await plain.session.subscribe(`${t}.temp`, plain.handler);
      await published(pub, `${t}.other`, [0]);
      expect(plain.pending()).toEqual([]);
    });

    test("prefix and wildcard subscriptions see the concrete topic", async () => {
      const sub = await connect(serializer);
      const pub = await connect(serializer);
      const prefix = new AbClient(sub.session, sub.connection);
      const wild = new AbClient(sub.session, sub.connection);
      await sub.session.subscribe(`${t}.sensor`, prefix.handler, { match: "prefix" });
      await sub.session.subscribe(`${t}..humidity`, wild.handler, { match: "wildcard" });
      await published(pub, `${t}.sensor.7`, ["p"]);
      await published(pub, `${t}.room1.humidity`, ["w"]);
      expect(await prefix.next("prefix event")).toMatchObject({ args: ["p"], details: { topic: `${t}.sensor.7` } });
      expect(await wild.next("wildcard event")).toMatchObject({ args: ["w"], details: { topic: `${t}.room1.humidity` } });
    });

    test("disclose_me identifies the publisher; eligible and exclude choose the receivers", async () => {
      const a = await connect(serializer);
      const b = await connect(serializer);
      const pub = await connect(serializer);
      await a.session.subscribe(`${t}.lists`, a.handler);
      await b.session.subscribe(`${t}.lists`, b.handler);
      await published(pub, `${t}.lists`, ["who"], { disclose_me: true, exclude: [b.session.id] });
      const ev = await a.next("disclosed event");
      expect(Number(ev.details.publisher)).toBe(Number(pub.session.id));
      expect(ev.details.publisher_authrole).toBe("anonymous");
      expect(typeof ev.details.publisher_authid).toBe("string");
      await published(pub, `${t}.lists`, ["only-b"], { eligible: [a.session.id, b.session.id], exclude_authid: [String(ev.details.publisher_authid)], eligible_authrole: ["anonymous"] });
      expect((await b.next("eligible event")).args).toEqual(["only-b"]);
      expect((await a.next("eligible event")).args).toEqual(["only-b"]);
      await published(pub, `${t}.lists`, ["nobody"], { eligible: [pub.session.id] });
      await published(pub, `${t}.lists`, ["end"], { exclude: [a.session.id] });
      expect((await b.next("last event")).args).toEqual(["end"]);
      expect(a.pending()).toEqual([]);
      expect(b.pending()).toEqual([]);
    });
  });
}
