// Advanced pub/sub features seen by Debian's python3-autobahn against the router process
// (test/interop/py/pubsub_advanced_peer.py): a retained event delivered on a prefix
// subscription with get_retained, EVENT.Details.topic on prefix and wildcard subscriptions,
// publisher identification, and eligible/exclude lists naming real session ids.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { routerProcessForFile } from "./_client.ts";
import { type PythonPeer, startPythonScript } from "./_python.ts";

const SCRIPT = "pubsub_advanced_peer.py";

const router = routerProcessForFile();

interface Seen {
  sub: string;
  args: unknown[];
  topic: string;
  retained: boolean;
  publisher: number | null;
  publisher_authrole: string | null;
}

const transports = [
  { name: "WebSocket", serializer: "json", url: () => router.wsUrl },
  { name: "WebSocket", serializer: "msgpack", url: () => router.wsUrl },
  { name: "RawSocket", serializer: "cbor", url: () => `rs://127.0.0.1:${router.rawsocketPort}` },
];

for (const { name, serializer, url } of transports) {
  describe(`python3-autobahn advanced pub/sub over ${name} with ${serializer}`, () => {
    const tag = `pyadv.${name.toLowerCase()}.${serializer}`;
    const base = `com.example.${tag}`;
    const peers: PythonPeer[] = [];
    let a: Seen[];
    let b: Seen[];
    let publisher: number;
    const exits: Array<number | null> = [];

    beforeAll(async () => {
      const run = (...argv: string[]) => {
        const p = startPythonScript(SCRIPT, [argv[0], url(), serializer, tag, ...argv.slice(1)]);
        peers.push(p);
        return p;
      };
      const retainer = run("retainer");
      exits.push(await retainer.exit(10_000));
      const subA = run("subscriber");
      const subB = run("subscriber");
      const idA = (await subA.waitFor("ready", 10_000)).ready as number;
      const idB = (await subB.waitFor("ready", 10_000)).ready as number;
      const pub = run("publisher", String(idA), String(idB));
      publisher = (await pub.waitFor("published", 10_000)).published as number;
      a = (await subA.waitFor("events", 10_000)).events as Seen[];
      b = (await subB.waitFor("events", 10_000)).events as Seen[];
      for (const p of [pub, subA, subB]) exits.push(await p.exit(5_000));
    }, 40_000);

    afterAll(() => {
      for (const p of peers) p.process.kill("SIGKILL");
    });

    const brief = (events: Seen[]) => events.map((e) => `${e.sub} ${e.topic.slice(base.length)} ${e.args.join(",")}${e.retained ? " retained" : ""}`);

    test("each subscriber receives exactly the events its lists allow, with the concrete topic", () => {
      expect(brief(a)).toEqual([
        "prefix .retained.one kept retained",
        "prefix .disclosed who",
        "prefix .only.w only-a",
        "wildcard .only.w only-a",
        "prefix .both both",
      ]);
      expect(brief(b)).toEqual([
        "prefix .retained.one kept retained",
        "prefix .disclosed who",
        "prefix .not.w not-a",
        "wildcard .not.w not-a",
        "prefix .both both",
      ]);
    });

    test("disclose_me gives the subscribers the publisher's session and authrole", () => {
      for (const events of [a, b]) {
        const disclosed = events.find((e) => e.topic.endsWith(".disclosed"))!;
        expect(disclosed.publisher).toBe(publisher);
        expect(disclosed.publisher_authrole).toBe("anonymous");
        expect(events.filter((e) => e.publisher !== null)).toHaveLength(1);
      }
    });

    test("every python peer left cleanly", () => {
      expect(exits).toEqual([0, 0, 0, 0]);
    });
  });
}
