// Debian's python3-autobahn (ApplicationRunner, asyncio) against the router process, over
// WebSocket and RawSocket with JSON, MessagePack and CBOR. Per combination two scripts run
// (test/interop/py/wamp_peer.py): a responder (callee + subscriber) and a requester (caller +
// publisher); the tests assert on the JSON lines they print.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { routerProcessForFile } from "./_client.ts";
import { type PythonPeer, startPythonPeer } from "./_python.ts";

const router = routerProcessForFile();

const transports = [
  { name: "WebSocket", url: () => router.wsUrl },
  { name: "RawSocket", url: () => `rs://127.0.0.1:${router.rawsocketPort}` },
];

for (const transport of transports) {
  for (const serializer of ["json", "msgpack", "cbor"]) {
    describe(`python3-autobahn over ${transport.name} with ${serializer}`, () => {
      const tag = `py.${transport.name.toLowerCase()}.${serializer}`;
      let responder: PythonPeer;
      let requester: PythonPeer;
      let asked: Record<string, unknown>;
      let heard: Record<string, unknown>;
      const exits: Array<number | null> = [];

      beforeAll(async () => {
        responder = startPythonPeer("responder", transport.url(), serializer, tag);
        await responder.waitFor("ready", 10_000);
        requester = startPythonPeer("requester", transport.url(), serializer, tag);
        asked = await requester.waitFor("add2", 10_000);
        heard = await responder.waitFor("events", 10_000);
        exits.push(await requester.exit(5_000), await responder.exit(5_000));
      }, 30_000);

      afterAll(() => {
        responder?.process.kill("SIGKILL");
        requester?.process.kill("SIGKILL");
      });

      test("the caller gets 5 from com.example.add2(2, 3)", () => {
        expect(asked.add2).toBe(5);
      });

      test("positional and keyword arguments travel to the callee and back unchanged", () => {
        expect(asked.echo).toEqual({
          args: ["x", 1],
          kwargs: { name: "causeway — grüße ✓ 日本", n: 42, nested: { list: [1, "two", null, true], f: 1.5 } },
        });
      });

      test("the callee's application error reaches the caller with its URI and arguments", () => {
        expect(asked.fail).toEqual({ error: "com.example.error.too_big", args: ["limit exceeded", 42], kwargs: { limit: 10 } });
      });

      test("calling a procedure nobody registered fails with wamp.error.no_such_procedure", () => {
        expect((asked.nobody_home as { error: string }).error).toBe("wamp.error.no_such_procedure");
      });

      test("the subscriber receives args and kwargs of both publications, in order", () => {
        expect(heard.events).toEqual([
          { args: ["hello", 7], kwargs: { from: "py", tags: ["x"] } },
          { args: ["second"], kwargs: {} },
        ]);
      });

      test("an acknowledged publish returns the publication id", () => {
        const id = asked.publication_id as number;
        expect(Number.isSafeInteger(id) && id > 0).toBe(true);
      });

      test("the publisher gets only the event it published with exclude_me false", () => {
        expect(asked.own_news).toEqual([{ args: ["second"], kwargs: {} }]);
      });

      test("after unsubscribing no more events of that topic arrive", () => {
        expect(asked.gone).toEqual([{ args: [1], kwargs: {} }]);
        expect(asked.kept).toEqual([{ args: [3], kwargs: {} }]);
      });

      test("both sessions leave with GOODBYE, the scripts exit 0 and the router keeps running", () => {
        const left = (peer: PythonPeer) => peer.results.find((r) => "left" in r)?.left;
        expect(left(requester)).toBe("wamp.close.goodbye_and_out");
        expect(left(responder)).toBe("wamp.close.goodbye_and_out");
        expect(exits).toEqual([0, 0]);
        expect(router.running()).toBe(true);
      });
    });
  }
}
