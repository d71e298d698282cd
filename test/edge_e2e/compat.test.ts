// Compat mode: the same bridge over plain WAMP, one standard WebSocket connection per bridged
// realm, against a core with no edge listener at all. RPC and events both ways with real clients
// on both sides; on the core the bridge sessions are ordinary WebSocket sessions, one connection
// per realm. A TCP proxy in front of the plain listener lets the last test freeze the connections.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startTcpProxy, type TcpProxy } from "../_harness/tcp_proxy.ts";
import { connectAutobahn } from "../interop/_autobahn.ts";
import { connectWampy } from "../interop/_wampy.ts";
import type { Wampy } from "wampy";
import { InteropClients, payload } from "../interop/_client.ts";
import {
  AbSessions, Events, eventually, PythonPeers, plainUrl, REMOTE, type RouterProcess, startCore, startEdge, waitLink,
  failure, TEST_KEEPALIVE, UPLINK, waitForLog, wampyIdentityCallee, withSession,
} from "./_edge.ts";

// test/_setup.ts sets 20 s, but Bun 1.4.5 applies a preload's setDefaultTimeout to the first
// test file of a run only; every later file would get 5 s.
setDefaultTimeout(20_000);

let core: RouterProcess;
let edge: RouterProcess;
/** Between the edge and the core's plain listener, to freeze the WAMP connections. */
let proxy: TcpProxy;
const ab = new AbSessions();
const clients = new InteropClients();
const py = new PythonPeers();
const rawWampy: Wampy[] = [];

beforeAll(async () => {
  core = await startCore({ edgeListeners: false });
  const plain = core.listeners.plain;
  proxy = await startTcpProxy({ host: plain.host, port: plain.port });
  edge = await startEdge({
    url: `ws://127.0.0.1:${proxy.port}/ws`,
    mode: "compat",
    serializer: "msgpack",
    realms: [
      {
        local: "site",
        remote: REMOTE.site,
        export: { procedures: [{ uri: "com.acme.device.", match: "prefix" }], topics: [{ uri: "com.acme.telemetry.", match: "prefix" }] },
        import: { procedures: [{ uri: "com.acme.cloud.", match: "prefix" }], topics: [{ uri: "com.acme.cmd.", match: "prefix" }] },
      },
      { local: "plant", remote: REMOTE.plant, export: { procedures: [{ uri: "com.acme.plant.", match: "prefix" }] } },
    ],
  });
  await waitLink(edge, true);
}, 30_000);

afterAll(async () => {
  py.killAll();
  ab.closeAll();
  for (const w of rawWampy) await w.disconnect().catch(() => {});
  await clients.closeAll();
  proxy?.resume();
  await edge?.stop();
  await core?.stop();
  await proxy?.close();
});

describe("compat mode against a plain WebSocket listener", () => {
  test("core caller (python3-autobahn) -> edge callee (autobahn-js)", async () => {
    const callee = await clients.track(connectAutobahn({ type: "websocket", url: edge.wsUrl, serializer: "json" }, "site"));
    await callee.register("com.acme.device.temp", ({ args }) => payload(["autobahn", args[0]]));
    // Wait until the export is on the core before starting the python caller (one shot).
    await withSession(core.wsUrl, REMOTE.site, (c) => eventually("export on the core", () => c.call("com.acme.device.temp", [0])));
    const out = await py.start("call", plainUrl(core), REMOTE.site, "com.acme.device.temp", "[21]").waitFor("session", 20_000);
    expect(out.error).toBeUndefined();
    expect((out.result as { args: unknown[] }).args).toEqual(["autobahn", 21]);
  });

  test("edge caller (wampy) -> core callee (python3-autobahn)", async () => {
    const callee = py.start("callee", plainUrl(core), REMOTE.site, "com.acme.cloud.lookup");
    await callee.waitFor("ready", 20_000);
    const caller = await clients.track(connectWampy(edge.wsUrl, "cbor", "site"));
    const res = await eventually("imported call", () => caller.call("com.acme.cloud.lookup", ["k"]));
    expect(res.args[0]).toMatchObject({ by: "python", args: ["k"] });
  });

  test("forward_for does not cross into a core the bridge is an ordinary client of", async () => {
    await wampyIdentityCallee(plainUrl(core), REMOTE.site, "com.acme.cloud.who", rawWampy);
    const caller = await clients.track(connectWampy(edge.wsUrl, "json", "site"));
    const res = await eventually("imported call", () => caller.call("com.acme.cloud.who", ["k"]));
    expect(res.args[0]).toMatchObject({ by: "wampy", args: ["k"] });
    // The bridge is an ordinary client of this core, so the core drops the forward_for it sends
    // (README, Edge mode: clients cannot spoof identities); the callee sees none.
    const ff = (res.args[0] as { forward_for: Array<{ session: number }> | null }).forward_for;
    expect(ff).toBeNull();
  });

  test("edge publisher (autobahn-js) -> core subscriber (wampy)", async () => {
    const sub = await clients.track(connectWampy(plainUrl(core), "json", REMOTE.site));
    const inbox = new Events();
    await sub.subscribe("com.acme.telemetry.t", (e) => inbox.push(e));
    const pub = await ab.connect(edge.wsUrl, "site");
    await eventually("first event at the core", async () => {
      await pub.publish("com.acme.telemetry.t", ["probe"], {}, { acknowledge: true });
      return inbox.next(300, "probe");
    });
    for (const n of [1, 2, 3]) await pub.publish("com.acme.telemetry.t", [n], {}, { acknowledge: true });
    const got: unknown[] = [];
    while (got.length < 3) {
      const e = await inbox.next(5000, "event");
      if (e.args[0] !== "probe") got.push(e.args[0]);
    }
    expect(got).toEqual([1, 2, 3]);
  });

  test("core publisher (autobahn-js) -> edge subscriber (python3-autobahn)", async () => {
    const sub = py.start("subscribe", edge.wsUrl, "site", "com.acme.cmd.go", "2");
    await sub.waitFor("ready", 20_000);
    const pub = await ab.connect(plainUrl(core), REMOTE.site);
    await withSession(core.wsUrl, REMOTE.site, (c) =>
      eventually("the bridge's subscription on the core", async () => {
        const ids = (await c.call("wamp.subscription.match", ["com.acme.cmd.go"])).args[0] as number[] | null;
        if (!ids || ids.length === 0) throw new Error("no subscription matches yet");
      }));
    await pub.publish("com.acme.cmd.go", ["x"], {}, { acknowledge: true });
    await pub.publish("com.acme.cmd.go", ["y"], {}, { acknowledge: true });
    const out = await sub.waitFor("events", 10_000);
    expect((out.events as Array<{ args: unknown[] }>).map((e) => e.args)).toEqual([["x"], ["y"]]);
  });

  test("the second realm bridges over its own WAMP connection; the core sees plain WebSocket sessions", async () => {
    const callee = await clients.track(connectWampy(edge.wsUrl, "json", "plant"));
    await callee.register("com.acme.plant.valve", () => payload(["closed"]));
    const caller = await clients.track(connectWampy(core.wsUrl, "json", REMOTE.plant));
    expect((await eventually("plant export", () => caller.call("com.acme.plant.valve"))).args).toEqual(["closed"]);

    // The bridge session of each realm: the callee of its exported registration.
    const bridgeOf = (realm: string, procedure: string) =>
      withSession(core.wsUrl, realm, async (c) => {
        const reg = (await c.call("wamp.registration.lookup", [procedure])).args[0] as number;
        const callees = (await c.call("wamp.registration.list_callees", [reg])).args[0] as number[];
        expect(callees.length).toBe(1);
        return (await c.call("wamp.session.get", [callees[0]])).args[0] as { transport: Record<string, unknown> };
      });
    const site = await bridgeOf(REMOTE.site, "com.acme.device.temp");
    const plant = await bridgeOf(REMOTE.plant, "com.acme.plant.valve");
    expect(site.transport.type).toBe("websocket");
    expect(plant.transport.type).toBe("websocket");
    // One connection per realm.
    expect(typeof site.transport.remote_port).toBe("number");
    expect(site.transport.remote_port).not.toBe(plant.transport.remote_port);
  });

  test("a frozen connection is noticed by the compat keepalive (a WAMP call after idle); imports fail fast; it heals", async () => {
    const callee = await clients.track(connectWampy(plainUrl(core), "json", REMOTE.site));
    await callee.register("com.acme.cloud.ping", () => payload(["pong"]));
    const caller = await clients.track(connectWampy(edge.wsUrl, "json", "site"));
    expect((await eventually("import", () => caller.call("com.acme.cloud.ping"))).args).toEqual(["pong"]);

    proxy.freeze();
    await waitLink(edge, false, 10_000);
    // Noticed by the keepalive, not by a closed socket.
    expect(await waitForLog(edge, ["uplink down", "keepalive probe"])).toMatch(new RegExp(`\\b${TEST_KEEPALIVE.maxAttempts} keepalive probes?\\b`));
    const down = await failure(caller.call("com.acme.cloud.ping"), 3000);
    expect(down.error).toBe("wamp.error.unavailable");
    expect(JSON.stringify(down.args)).toContain(UPLINK);

    proxy.resume();
    await waitLink(edge, true);
    expect((await eventually("import after healing", () => caller.call("com.acme.cloud.ping"))).args).toEqual(["pong"]);
    // The exports are back too.
    const coreCaller = await clients.track(connectWampy(core.wsUrl, "json", REMOTE.plant));
    expect((await eventually("plant export after healing", () => coreCaller.call("com.acme.plant.valve"))).args).toEqual(["closed"]);
  });
});
