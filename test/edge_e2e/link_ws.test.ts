// Edge mode end to end over the WebSocket carrier: a core and an edge as two `causeway`
// processes, one link (MessagePack on the channels) carrying two bridged realms, and real
// clients on both sides (autobahn-js, wampy, python3-autobahn). RPC both ways, events both ways,
// progressive results, no echo on a topic bridged both ways, export filters honoured, the edge
// sessions in the core's meta API, the status procedure and /metrics.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { connectAutobahn } from "../interop/_autobahn.ts";
import { connectWampy, newWampy } from "../interop/_wampy.ts";
import type { Wampy } from "wampy";
import { type InteropClient, InteropClients, payload, withTimeout } from "../interop/_client.ts";
import {
  AbSessions, Events, type AbDetails, coreSessions, EDGE_NODE, CORE_NODE, edgeStatus, eventually, failure, first, metricsText,
  type ProgressThen, PythonPeers, REMOTE, wampyIdentityCallee, type RouterProcess, sample, startCore, startEdge, UPLINK, waitLink, withSession,
} from "./_edge.ts";

// test/_setup.ts sets 20 s, but Bun 1.4.5 applies a preload's setDefaultTimeout to the first
// test file of a run only; every later file would get 5 s.
setDefaultTimeout(20_000);

let core: RouterProcess;
let edge: RouterProcess;
const ab = new AbSessions();
const clients = new InteropClients();
const py = new PythonPeers();
const rawWampy: Wampy[] = [];

beforeAll(async () => {
  core = await startCore();
  edge = await startEdge({
    url: core.wsUrl,
    serializer: "msgpack",
    realms: [
      {
        local: "site",
        remote: REMOTE.site,
        export: {
          procedures: [{ uri: "com.acme.device.", match: "prefix" }],
          topics: [{ uri: "com.acme.telemetry.", match: "prefix" }, { uri: "com.acme.both.", match: "prefix" }],
        },
        import: {
          procedures: [{ uri: "com.acme.cloud.", match: "prefix" }],
          topics: [{ uri: "com.acme.cmd.", match: "prefix" }, { uri: "com.acme.both.", match: "prefix" }],
        },
      },
      {
        local: "plant",
        remote: REMOTE.plant,
        export: { procedures: [{ uri: "com.acme.plant.", match: "prefix" }] },
        import: { procedures: [{ uri: "com.acme.plantcloud.", match: "prefix" }] },
      },
    ],
  });
  await waitLink(edge, true);
}, 30_000);

afterAll(async () => {
  py.killAll();
  ab.closeAll();
  for (const w of rawWampy) await w.disconnect().catch(() => {});
  await clients.closeAll();
  await edge?.stop();
  await core?.stop();
});

const wampyOn = (router: RouterProcess, realm: string) => clients.track(connectWampy(router.wsUrl, "json", realm));
const autobahnOn = (router: RouterProcess, realm: string) => ab.connect(router.wsUrl, realm);

/** Calls through the bridge until the exported/imported registration exists (it is set up asynchronously). */
function callWhenBridged(client: InteropClient, procedure: string, args: unknown[] = []) {
  return eventually(`call ${procedure} through the bridge`, () => client.call(procedure, args), { ms: 10_000 });
}

describe("edge link over WebSocket", () => {
  test("core caller (autobahn-js) -> edge callee (wampy): an exported procedure", async () => {
    const callee = await wampyOn(edge, "site");
    await callee.register("com.acme.device.temp", ({ args }) => payload(["wampy", (args[0] as number) * 10]));
    const caller = await clients.track(connectAutobahn({ type: "websocket", url: core.wsUrl, serializer: "json" }, REMOTE.site));
    const result = await callWhenBridged(caller, "com.acme.device.temp", [4]);
    expect(result.args).toEqual(["wampy", 40]);
  });

  test("a local procedure outside the export filters is not registered on the core", async () => {
    const local = await wampyOn(edge, "site");
    await local.register("com.acme.private.secret", () => payload(["leaked"]));
    // A sentinel registered after it proves the bridge has processed both registrations.
    await local.register("com.acme.device.sentinel", () => payload(["ok"]));
    const caller = await wampyOn(core, REMOTE.site);
    await callWhenBridged(caller, "com.acme.device.sentinel");
    const denied = await failure(caller.call("com.acme.private.secret"));
    expect(denied.error).toBe("wamp.error.no_such_procedure");
    // Locally it is of course callable.
    expect((await local.call("com.acme.private.secret")).args).toEqual(["leaked"]);
  });

  test("unregistering the local callee removes the export from the core", async () => {
    const callee = await autobahnOn(edge, "site");
    const reg = await callee.register("com.acme.device.transient", () => "here") as unknown;
    const caller = await wampyOn(core, REMOTE.site);
    expect((await callWhenBridged(caller, "com.acme.device.transient")).args).toEqual(["here"]);
    await (callee as unknown as { unregister(r: unknown): PromiseLike<unknown> }).unregister(reg);
    await eventually("the core forgets the export", async () => {
      const f = await failure(caller.call("com.acme.device.transient"));
      if (f.error !== "wamp.error.no_such_procedure") throw new Error(f.error);
    });
  });

  test("a pattern registration is exported with its match policy", async () => {
    const callee = newWampy(edge.wsUrl, "json", "site");
    rawWampy.push(callee);
    await withTimeout(callee.connect(), 5000, "wampy connect");
    await callee.register("com.acme.device.sensor", ({ argsList, details }) => ({
      argsList: [(details as { procedure?: string }).procedure ?? null, ...(argsList ?? [])],
    }), { match: "prefix" });
    const caller = await wampyOn(core, REMOTE.site);
    const res = await callWhenBridged(caller, "com.acme.device.sensor.42", ["t"]);
    expect(res.args).toEqual(["com.acme.device.sensor.42", "t"]);
    await withSession(core.wsUrl, REMOTE.site, async (c) => {
      const id = (await c.call("wamp.registration.lookup", ["com.acme.device.sensor", { match: "prefix" }])).args[0];
      expect(typeof id).toBe("number");
    });
  });

  test("two edges serve one shared procedure (invoke roundrobin kept on the core)", async () => {
    const second = await startEdge({
      url: core.wsUrl,
      node: "gw-e2e-2",
      realms: [{ local: "site", remote: REMOTE.site, export: { procedures: [{ uri: "com.acme.device.", match: "prefix" }] } }],
    });
    try {
      await waitLink(second, true);
      for (const [router, name] of [[edge, "edge-1"], [second, "edge-2"]] as const) {
        const callee = newWampy(router.wsUrl, "json", "site");
        rawWampy.push(callee);
        await withTimeout(callee.connect(), 5000, "wampy connect");
        await callee.register("com.acme.device.shared", () => ({ argsList: [name] }), { invoke: "roundrobin" });
      }
      const caller = await wampyOn(core, REMOTE.site);
      const seen = await eventually("both edges answer", async () => {
        const names = new Set<unknown>();
        for (let i = 0; i < 4; i++) names.add((await caller.call("com.acme.device.shared")).args[0]);
        return names;
      }, { accept: (names) => names.size === 2 });
      expect([...seen].sort()).toEqual(["edge-1", "edge-2"]);
    } finally {
      await second.stop();
    }
  });

  test("edge caller (autobahn-js) -> core callee (wampy): an imported procedure, caller in forward_for", async () => {
    await wampyIdentityCallee(core.wsUrl, REMOTE.site, "com.acme.cloud.echo", rawWampy);
    const caller = await clients.track(connectAutobahn({ type: "websocket", url: edge.wsUrl, serializer: "json" }, "site"));
    // The import filter is registered locally when the bridge starts: no waiting for it.
    const res = await caller.call("com.acme.cloud.echo", [1, "a"]);
    const answer = res.args[0] as { by: string; args: unknown[]; forward_for: AbDetails["forward_for"] | null };
    expect(answer.by).toBe("wampy");
    expect(answer.args).toEqual([1, "a"]);
    expect(answer.forward_for).toEqual([expect.objectContaining({ session: caller.sessionId, authrole: "anonymous" })]);
  });

  test("edge caller (python3-autobahn) -> core callee (autobahn-js)", async () => {
    const callee = await autobahnOn(core, REMOTE.site);
    await callee.register("com.acme.cloud.upper", (args) => String(args[0]).toUpperCase());
    const out = await py.start("call", edge.wsUrl, "site", "com.acme.cloud.upper", JSON.stringify(["abc"])).waitFor("session", 20_000);
    expect(out.error).toBeUndefined();
    expect((out.result as { args: unknown[] }).args).toEqual(["ABC"]);
  });

  test("a core procedure that does not exist: the edge caller gets no_such_procedure passed through", async () => {
    const out = await py.start("call", edge.wsUrl, "site", "com.acme.cloud.missing", "[]").waitFor("session", 20_000);
    expect(out.error).toBe("wamp.error.no_such_procedure");
  });

  test("edge publisher (wampy) -> core subscriber (autobahn-js), publisher in forward_for", async () => {
    const sub = await autobahnOn(core, REMOTE.site);
    const inbox = new Events();
    const seen: AbDetails[] = [];
    await sub.subscribe("com.acme.telemetry.temp", (args, kwargs, details) => {
      seen.push(details);
      inbox.push({ args, kwargs });
    });
    const pub = await wampyOn(edge, "site");
    // Interest reaches the edge asynchronously (core meta events): publish until one arrives.
    await eventually("first bridged event", async () => {
      await pub.publish("com.acme.telemetry.temp", ["probe"], {}, { acknowledge: true });
      return inbox.next(300, "probe");
    });
    const before = inbox.items.length;
    for (const n of [1, 2, 3]) await pub.publish("com.acme.telemetry.temp", [n], { unit: "C" }, { acknowledge: true });
    const got: unknown[] = [];
    while (got.length < 3) {
      const e = await inbox.next(5000, "bridged event");
      if (e.args[0] !== "probe") got.push(e.args[0]);
    }
    expect(got).toEqual([1, 2, 3]);
    expect(inbox.items.at(-1)!.kwargs).toEqual({ unit: "C" });
    expect(inbox.items.length).toBeGreaterThanOrEqual(before + 3);
    expect(seen.at(-1)!.forward_for).toEqual([expect.objectContaining({ session: pub.sessionId, authrole: "anonymous" })]);
  });

  test("core publisher (python3-autobahn) -> edge subscriber (autobahn-js)", async () => {
    const sub = await autobahnOn(edge, "site");
    const inbox = new Events();
    await sub.subscribe("com.acme.cmd.reboot", (args, kwargs) => inbox.push({ args, kwargs }));
    // The bridge subscribes on the core once a local subscription intersects the import filter.
    await withSession(core.wsUrl, REMOTE.site, (c) =>
      eventually("the bridge's subscription on the core", async () => {
        const ids = (await c.call("wamp.subscription.match", ["com.acme.cmd.reboot"])).args[0] as number[] | null;
        if (!ids || ids.length === 0) throw new Error("no subscription matches yet");
      }));
    const out = await py.start("publish", core.wsUrl, REMOTE.site, "com.acme.cmd.reboot", JSON.stringify(["a", "b", "c"])).waitFor("published", 20_000);
    expect(out.published).toBe(3);
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await inbox.next(5000, "event from the core")).args[0]);
    expect(got).toEqual(["a", "b", "c"]);
  });

  test("interest follows subscriptions: the bridge's core subscription goes when the last local subscriber leaves", async () => {
    const topic = "com.acme.cmd.interest";
    const coreMatches = () => withSession(core.wsUrl, REMOTE.site, async (c) =>
      ((await c.call("wamp.subscription.match", [topic])).args[0] as number[] | null) ?? []);
    expect(await coreMatches()).toEqual([]);
    const a = await wampyOn(edge, "site");
    const b = await wampyOn(edge, "site");
    const subA = await a.subscribe(topic, () => {});
    const subB = await b.subscribe(topic, () => {});
    await eventually("core subscription", coreMatches, { accept: (ids) => ids.length === 1 });
    await a.unsubscribe(subA);
    // Still one local subscriber: the core subscription stays (refcounted).
    await b.call("causeway.edge.status");
    expect((await coreMatches()).length).toBe(1);
    await b.unsubscribe(subB);
    await eventually("core subscription gone", coreMatches, { accept: (ids) => ids.length === 0 });
  });

  test("exported publications nobody on the core listens to are not sent", async () => {
    const outEvents = async () =>
      sample(await metricsText(edge), "causeway_edge_bridged_messages_total", { uplink: UPLINK, realm: "site", direction: "out", kind: "event" }) ?? 0;
    const sub = await autobahnOn(core, REMOTE.site);
    const inbox = new Events();
    await sub.subscribe("com.acme.telemetry.watched", (args, kwargs) => inbox.push({ args, kwargs }));
    const pub = await wampyOn(edge, "site");
    await eventually("interest in the watched topic", async () => {
      await pub.publish("com.acme.telemetry.watched", ["probe"], {}, { acknowledge: true });
      return inbox.next(300, "probe");
    });
    const before = await outEvents();
    await pub.publish("com.acme.telemetry.unwatched", ["nobody"], {}, { acknowledge: true });
    await pub.publish("com.acme.telemetry.watched", ["marker"], {}, { acknowledge: true });
    while ((await inbox.next(5000, "marker")).args[0] !== "marker");
    // Only the marker crossed (probes still in flight would only raise the count: none can be).
    expect(await outEvents()).toBe(before + 1);
  });

  test("a topic bridged both ways never echoes", async () => {
    const edgeSub = await autobahnOn(edge, "site");
    const edgeInbox = new Events();
    await edgeSub.subscribe("com.acme.both.x", (args, kwargs) => edgeInbox.push({ args, kwargs }));
    const coreSub = await autobahnOn(core, REMOTE.site);
    const coreInbox = new Events();
    await coreSub.subscribe("com.acme.both.x", (args, kwargs) => coreInbox.push({ args, kwargs }));
    const edgePub = await wampyOn(edge, "site");
    const corePub = await wampyOn(core, REMOTE.site);

    // Edge -> core: wait until the core subscriber gets one (interest is learnt asynchronously).
    await eventually("edge event reaches the core", async () => {
      await edgePub.publish("com.acme.both.x", ["from-edge"], {}, { acknowledge: true });
      return coreInbox.next(300, "from-edge");
    });
    // Core -> edge: the bridge's core subscription may also come up asynchronously.
    await eventually("core event reaches the edge", async () => {
      await corePub.publish("com.acme.both.x", ["from-core"], {}, { acknowledge: true });
      for (;;) {
        const e = await edgeInbox.next(300, "from-core");
        if (e.args[0] === "from-core") return e;
      }
    });
    const edgeBase = edgeInbox.items.length;
    const coreBase = coreInbox.items.length;
    // One marker each way. An echo of the edge's marker would reach the edge subscriber over the
    // same core -> edge path, before the core's own marker published after it arrived at the core.
    await edgePub.publish("com.acme.both.x", ["edge-marker"], {}, { acknowledge: true });
    while ((await coreInbox.next(5000, "edge-marker at the core")).args[0] !== "edge-marker");
    await corePub.publish("com.acme.both.x", ["core-marker"], {}, { acknowledge: true });
    while ((await edgeInbox.next(5000, "core-marker at the edge")).args[0] !== "core-marker");
    // Symmetric: the core marker echoed back would reach the core before this one.
    await edgePub.publish("com.acme.both.x", ["edge-marker-2"], {}, { acknowledge: true });
    while ((await coreInbox.next(5000, "edge-marker-2 at the core")).args[0] !== "edge-marker-2");

    // A probe of the set-up loops above may still arrive late; only the markers count.
    const markers = (items: { args: unknown[] }[]) => items.map((e) => e.args[0]).filter((v) => String(v).includes("marker"));
    const edgeSaw = markers(edgeInbox.items.slice(edgeBase));
    const coreSaw = markers(coreInbox.items.slice(coreBase));
    expect({ edgeSaw, coreSaw }).toEqual({
      edgeSaw: ["edge-marker", "core-marker", "edge-marker-2"],
      coreSaw: ["edge-marker", "core-marker", "edge-marker-2"],
    });
  });

  test("progressive results cross the bridge both ways", async () => {
    // Export direction: core caller, edge callee.
    const edgeCallee = await autobahnOn(edge, "site");
    await edgeCallee.register("com.acme.device.count", (args, _kw, details) => {
      const n = args[0] as number;
      for (let i = 1; i < n; i++) details.progress!([i]);
      return n;
    });
    const coreCaller = await autobahnOn(core, REMOTE.site);
    const wampyProbe = await wampyOn(core, REMOTE.site);
    await callWhenBridged(wampyProbe, "com.acme.device.count", [1]);
    const progress: unknown[] = [];
    const result = await withTimeout(Promise.resolve(
      (coreCaller.call("com.acme.device.count", [4], {}, { receive_progress: true }) as unknown as ProgressThen)
        .then((v) => v, undefined, (p) => progress.push(p)),
    ), 5000, "progressive call core -> edge");
    expect(progress).toEqual([1, 2, 3]);
    expect(first(result)).toBe(4);

    // Import direction: edge caller, core callee.
    const coreCallee = await autobahnOn(core, REMOTE.site);
    await coreCallee.register("com.acme.cloud.count", (args, _kw, details) => {
      const n = args[0] as number;
      for (let i = 1; i < n; i++) details.progress!([`p${i}`]);
      return "done";
    });
    const edgeCaller = await autobahnOn(edge, "site");
    const progress2: unknown[] = [];
    const result2 = await withTimeout(Promise.resolve(
      (edgeCaller.call("com.acme.cloud.count", [3], {}, { receive_progress: true }) as unknown as ProgressThen)
        .then((v) => v, undefined, (p) => progress2.push(p)),
    ), 5000, "progressive call edge -> core");
    expect(progress2).toEqual(["p1", "p2"]);
    expect(first(result2)).toBe("done");
  });

  test("two realms over one link: RPC both ways on the second realm", async () => {
    const valve = py.start("callee", edge.wsUrl, "plant", "com.acme.plant.valve");
    await valve.waitFor("ready", 20_000);
    const coreCaller = await wampyOn(core, REMOTE.plant);
    const res = await callWhenBridged(coreCaller, "com.acme.plant.valve", ["open"]);
    expect(res.args[0]).toMatchObject({ by: "python", args: ["open"] });
    // An edge callee sees the core's caller in forward_for (the bridge is its local caller).
    await wampyIdentityCallee(edge.wsUrl, "plant", "com.acme.plant.who", rawWampy);
    const who = await callWhenBridged(coreCaller, "com.acme.plant.who", ["x"]);
    expect((who.args[0] as { forward_for: unknown }).forward_for).toEqual([expect.objectContaining({ session: coreCaller.sessionId })]);

    const coreCallee = await wampyOn(core, REMOTE.plant);
    await coreCallee.register("com.acme.plantcloud.now", () => payload(["noon"]));
    const edgeCaller = await clients.track(connectAutobahn({ type: "websocket", url: edge.wsUrl, serializer: "msgpack" }, "plant"));
    expect((await edgeCaller.call("com.acme.plantcloud.now")).args).toEqual(["noon"]);
    // The realms are separate: the site realm's export is not visible on the plant realm.
    const siteOnly = await failure(coreCaller.call("com.acme.device.temp"));
    expect(siteOnly.error).toBe("wamp.error.no_such_procedure");
  });

  test("meta API on the core: the edge's sessions have transport type edge and share one connection", async () => {
    const site = (await coreSessions(core, REMOTE.site)).filter((s) => (s.transport as { type?: string }).type === "edge");
    const plant = (await coreSessions(core, REMOTE.plant)).filter((s) => (s.transport as { type?: string }).type === "edge");
    expect(site.length).toBe(1);
    expect(plant.length).toBe(1);
    const a = site[0].transport as Record<string, unknown>;
    const b = plant[0].transport as Record<string, unknown>;
    expect(a.remote_address).toBe(b.remote_address);
    expect(a.remote_port).toBe(b.remote_port);
    expect(typeof a.remote_port).toBe("number");
  });

  test("status procedure and /metrics on the edge report the link", async () => {
    const status = await eventually("causeway.edge.status", () => edgeStatus(edge, "site"));
    const text = JSON.stringify(status);
    expect(text).toContain(UPLINK);
    expect(text).toContain(CORE_NODE);
    expect(text).toContain('"up"');
    const metrics = await metricsText(edge);
    expect(sample(metrics, "causeway_edge_link_up", { uplink: UPLINK })).toBe(1);
    expect(sample(metrics, "causeway_edge_reconnects_total", { uplink: UPLINK })).toBeDefined();
    // Bridged messages are counted per realm, direction and kind: the tests above sent some.
    const bridged = metrics.split("\n").filter((l) => l.startsWith("causeway_edge_bridged_messages_total{"));
    expect(bridged.length).toBeGreaterThan(0);
    expect(bridged.some((l) => l.includes('realm="site"') && Number(l.split(" ").at(-1)) > 0)).toBe(true);
    expect(sample(metrics, "causeway_edge_buffer_depth", { uplink: UPLINK, realm: "site" })).toBe(0);
    // The core logs the link with the edge's node id.
    expect(core.logs.some((l) => l.includes(EDGE_NODE))).toBe(true);
  });
});
