// The WAMP meta API seen by python3-autobahn against the router process: meta events received
// by a python subscriber, the session procedures called from python, a python session killed
// through wamp.session.kill (it sees GOODBYE), and a testament published after the python
// process is killed with SIGKILL (no GOODBYE, the transport is just lost).
import { describe, expect, test } from "bun:test";
import { InteropClients, routerProcessForFile, withTimeout } from "./_client.ts";
import { connectAutobahn } from "./_autobahn.ts";
import { startPythonScript } from "./_python.ts";

const clients = new InteropClients();
const router = routerProcessForFile({}, () => clients.closeAll());

const autobahnClient = () => clients.track(connectAutobahn({ type: "websocket", url: router.wsUrl, serializer: "json" }));

describe("meta API with python3-autobahn", () => {
  for (const serializer of ["json", "msgpack", "cbor"]) {
    test(`a python subscriber (${serializer}) receives on_join and on_register, and is killed with GOODBYE`, async () => {
      const watcher = startPythonScript("meta_peer.py", ["watcher", router.wsUrl, serializer]);
      const ready = await watcher.waitFor("ready", 10_000);
      const other = await autobahnClient();
      await other.register(`com.example.meta.${serializer}.proc`, () => ({ args: [], kwargs: {} }));
      const [registrationId] = (await other.call("wamp.registration.lookup", [`com.example.meta.${serializer}.proc`])).args;
      const joinEvent = await watcher.waitFor("on_join", 5000);
      const registerEvent = await watcher.waitFor("on_register", 5000);
      expect(joinEvent).toMatchObject({ on_join: [{ session: other.sessionId, authrole: "anonymous" }], seq: 1 });
      expect(registerEvent).toEqual({ on_register: [other.sessionId, registrationId], seq: 2 });
      await other.call("wamp.session.kill", [ready.ready], { message: "maintenance" });
      expect(await watcher.waitFor("left", 5000)).toEqual({ left: "wamp.close.killed", message: "maintenance" });
      expect(await watcher.exit(5000)).toBe(0);
    });
  }

  test("python calls wamp.session.count, list and get", async () => {
    const caller = startPythonScript("meta_peer.py", ["caller", router.wsUrl, "json"]);
    const out = await caller.waitFor("count", 10_000) as { count: number; list: number[]; get: Record<string, unknown>; session: number };
    expect(out.list).toContain(out.session);
    expect(out.list.length).toBe(out.count);
    expect(out.get).toMatchObject({ session: out.session, authrole: "anonymous", authmethod: "anonymous", transport: { type: "websocket", serializer: "json" } });
    expect(await caller.exit(5000)).toBe(0);
  });

  test("a testament is published after the python process is killed with SIGKILL", async () => {
    const watcher = await autobahnClient();
    let got!: (p: { args: unknown[]; kwargs: Record<string, unknown> }) => void;
    const event = new Promise<{ args: unknown[]; kwargs: Record<string, unknown> }>((r) => (got = r));
    await watcher.subscribe("com.example.meta.testament", got);
    const testator = startPythonScript("meta_peer.py", ["testator", router.wsUrl, "json", "com.example.meta.testament"]);
    const { ready } = await testator.waitFor("ready", 10_000);
    testator.process.kill("SIGKILL");
    expect(await withTimeout(event, 5000, "testament event")).toEqual({ args: ["gone"], kwargs: { who: ready } });
    await testator.exit(5000);
  });
});
