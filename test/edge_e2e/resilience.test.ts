// Edge mode when the network or the core fails: the edge dials the core's RawSocket listener
// (tcp:// carrier, CBOR on the channels) through a TCP proxy. A link frozen without FIN is
// noticed by the keepalive; while down, local traffic keeps working, imported calls fail fast
// with wamp.error.unavailable and exported publications are buffered, then delivered in order
// after the reconnect; a cut link reconnects at once; a core killed with SIGKILL and started
// again gets the edge's registrations and interests (both directions) back without restarting
// the edge.
//
// The tests run in order and share the processes (each step starts from the state the previous
// one left), so the whole file needs one core restart, not one per test.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { connectWampy } from "../interop/_wampy.ts";
import { type InteropClient, InteropClients, payload } from "../interop/_client.ts";
import {
  AbSessions, Events, eventually, failure, killHard, linkUp, metricsText, proxyTo, REMOTE, type RouterProcess, sample, startCore,
  startEdge, type TcpProxy, TEST_KEEPALIVE, UPLINK, waitForLog, waitLink,
} from "./_edge.ts";

// test/_setup.ts sets 20 s, but Bun 1.4.5 applies a preload's setDefaultTimeout to the first
// test file of a run only; every later file would get 5 s.
setDefaultTimeout(20_000);

let core: RouterProcess;
let edge: RouterProcess;
let proxy: TcpProxy;
const ab = new AbSessions();
const clients = new InteropClients();

/** Long-lived edge-side clients: they never notice the link's troubles. */
let edgeCallee: InteropClient;
let edgeUser: InteropClient;
/** Core-side subscriber of the exported telemetry topic (lives as long as the first core). */
const telemetry = new Events();
/** Edge-side subscriber of an imported topic (lives as long as the edge). */
const commands = new Events();

beforeAll(async () => {
  core = await startCore();
  proxy = await proxyTo(core);
  edge = await startEdge({
    url: `tcp://127.0.0.1:${proxy.port}`,
    serializer: "cbor",
    realms: [{
      local: "site",
      remote: REMOTE.site,
      export: { procedures: [{ uri: "com.acme.device.", match: "prefix" }], topics: [{ uri: "com.acme.telemetry.", match: "prefix" }] },
      import: { procedures: [{ uri: "com.acme.cloud.", match: "prefix" }], topics: [{ uri: "com.acme.cmd.", match: "prefix" }] },
    }],
    // Small on purpose: the buffered-publications test overflows it by two.
    buffer: { maxMessages: 5, overflow: "drop_oldest" },
  });
  await waitLink(edge, true);
  edgeCallee = await clients.track(connectWampy(edge.wsUrl, "json", "site"));
  await edgeCallee.register("com.acme.device.alive", () => payload(["alive"]));
  await edgeCallee.register("com.acme.local.only", () => payload(["local"]));
  edgeUser = await clients.track(connectWampy(edge.wsUrl, "msgpack", "site"));
  await edgeUser.subscribe("com.acme.cmd.reset", (e) => commands.push(e));
}, 30_000);

afterAll(async () => {
  proxy?.resume();
  ab.closeAll();
  await clients.closeAll();
  await edge?.stop();
  await core?.stop();
  await proxy?.close();
});

const reconnects = async () => sample(await metricsText(edge), "causeway_edge_reconnects_total", { uplink: UPLINK }) ?? 0;
const bufferDropped = async () => sample(await metricsText(edge), "causeway_edge_buffer_dropped_total", { uplink: UPLINK, realm: "site" }) ?? 0;
const bufferDepth = async () => sample(await metricsText(edge), "causeway_edge_buffer_depth", { uplink: UPLINK, realm: "site" });

async function coreCall(procedure: string): Promise<unknown[]> {
  const caller = await clients.track(connectWampy(core.wsUrl, "json", REMOTE.site));
  return (await eventually(`core calls ${procedure}`, () => caller.call(procedure))).args;
}

describe("edge link through a TCP proxy", () => {
  test("the link comes up over tcp:// and stays up across idle periods (keepalive answered)", async () => {
    expect(await coreCall("com.acme.device.alive")).toEqual(["alive"]);
    const before = await reconnects();
    // Idle for several keepalive intervals: pings go out and are answered, nothing reconnects.
    await new Promise((r) => setTimeout(r, 4 * TEST_KEEPALIVE.intervalMs));
    expect(await linkUp(edge)).toBe(1);
    expect(await reconnects()).toBe(before);
    expect(proxy.connections).toBe(1);
  });

  test("a frozen link (no FIN) is noticed by the keepalive; local traffic goes on, imported calls fail fast", async () => {
    // The core side subscribes before the partition, so the edge knows there is interest.
    const sub = await ab.connect(core.wsUrl, REMOTE.site);
    await sub.subscribe("com.acme.telemetry.seq", (args, kwargs) => telemetry.push({ args, kwargs }));
    await eventually("interest reaches the edge", async () => {
      await edgeUser.publish("com.acme.telemetry.seq", ["probe"], {}, { acknowledge: true });
      return telemetry.next(300, "probe");
    });

    const before = await reconnects();
    proxy.freeze();
    // The detection window is intervalMs + maxAttempts * timeoutMs (1 s here); wait generously.
    await waitLink(edge, false, 10_000);
    expect(proxy.connections).toBeGreaterThanOrEqual(1); // the proxy closed nothing
    // Noticed by the keepalive, not by a closed socket.
    expect(await waitForLog(edge, ["uplink down", "keepalive probe"])).toMatch(new RegExp(`\\b${TEST_KEEPALIVE.maxAttempts} keepalive probes?\\b`));

    expect((await edgeUser.call("com.acme.local.only")).args).toEqual(["local"]);
    expect((await edgeUser.call("com.acme.device.alive")).args).toEqual(["alive"]);
    const down = await failure(edgeUser.call("com.acme.cloud.anything"), 3000);
    expect(down.error).toBe("wamp.error.unavailable");
    expect(JSON.stringify(down.args)).toContain(UPLINK);
    // It keeps trying (the attempts hang in the partition until they time out).
    await eventually("reconnect attempts", reconnects, { accept: (n) => n > before });
    // The status procedure says so, with the reason.
    const status = (await edgeUser.call("causeway.edge.status")).args[0] as {
      uplinks: Array<{ name: string; state: string; lastError?: string; realms: Array<{ state: string }> }>;
    };
    expect(status.uplinks[0].name).toBe(UPLINK);
    expect(status.uplinks[0].state).not.toBe("up");
    expect(status.uplinks[0].lastError ?? "").not.toBe("");
    expect(status.uplinks[0].realms[0].state).toBe("down");
  });

  test("publications made while the link is down are buffered (bounded, oldest dropped) and arrive in order after it heals", async () => {
    const droppedBefore = await bufferDropped();
    for (let i = 1; i <= 7; i++) await edgeUser.publish("com.acme.telemetry.seq", [i], {}, { acknowledge: true });
    // maxMessages 5, drop_oldest: 1 and 2 are dropped and counted.
    expect(await eventually("buffered", bufferDepth, { accept: (d) => d === 5 })).toBe(5);
    expect(await bufferDropped()).toBe(droppedBefore + 2);

    proxy.resume();
    await waitLink(edge, true);
    const got: unknown[] = [];
    while (got.length < 5) {
      const e = await telemetry.next(10_000, "buffered publication");
      if (e.args[0] !== "probe") got.push(e.args[0]);
    }
    expect(got).toEqual([3, 4, 5, 6, 7]);
    expect(await bufferDepth()).toBe(0);
    // The export is back on the core.
    expect(await coreCall("com.acme.device.alive")).toEqual(["alive"]);
  });

  test("a link cut with FIN reconnects and re-registers", async () => {
    const before = await reconnects();
    proxy.cutAll();
    await eventually("reconnected", reconnects, { accept: (n) => n > before });
    await waitLink(edge, true);
    expect(await coreCall("com.acme.device.alive")).toEqual(["alive"]);
  });

  test("kill the core: the edge keeps serving locally, then reconnects and re-registers when the core returns", async () => {
    await killHard(core);
    await waitLink(edge, false);
    expect((await edgeUser.call("com.acme.device.alive")).args).toEqual(["alive"]);
    expect((await failure(edgeUser.call("com.acme.cloud.anything"), 3000)).error).toBe("wamp.error.unavailable");

    // A new core process (new port: the proxy now forwards there; the edge's url is unchanged).
    const before = await reconnects();
    core = await startCore();
    proxy.setTarget({ host: "127.0.0.1", port: core.rawsocketPort });
    await waitLink(edge, true);
    expect(await reconnects()).toBeGreaterThan(before);

    // Exports re-registered on the new core.
    expect(await coreCall("com.acme.device.alive")).toEqual(["alive"]);
    // Imports work again.
    const coreCallee = await clients.track(connectWampy(core.wsUrl, "json", REMOTE.site));
    await coreCallee.register("com.acme.cloud.time", () => payload(["now"]));
    expect((await eventually("imported call", () => edgeUser.call("com.acme.cloud.time"))).args).toEqual(["now"]);
    // Core interest in exported topics is learnt again from the new core.
    const inbox = new Events();
    const sub = await ab.connect(core.wsUrl, REMOTE.site);
    await sub.subscribe("com.acme.telemetry.after", (args, kwargs) => inbox.push({ args, kwargs }));
    const e = await eventually("exported event on the new core", async () => {
      await edgeUser.publish("com.acme.telemetry.after", ["again"], {}, { acknowledge: true });
      return inbox.next(300, "again");
    });
    expect(e.args).toEqual(["again"]);
    // The imported topic's interest (a local subscription made before the kill) is back too.
    const corePub = await clients.track(connectWampy(core.wsUrl, "json", REMOTE.site));
    const cmd = await eventually("imported event from the new core", async () => {
      await corePub.publish("com.acme.cmd.reset", ["now"], {}, { acknowledge: true });
      return commands.next(300, "now");
    });
    expect(cmd.args).toEqual(["now"]);
  });
});
