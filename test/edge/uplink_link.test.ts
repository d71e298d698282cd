// startEdge (edge/mod.ts) against a core started in this process: link mode over tcp:// and ws://
// and compat mode over a plain RawSocket listener, with real sockets on port 0. The core sees one
// session per bridged realm; the edge's status procedure and metrics follow the link; stop()
// leaves the core cleanly.
import { afterEach, describe, expect, test } from "bun:test";
import { createRouter, type Router } from "../../src/router/mod.ts";
import { linkedPeers } from "../../src/transport/mod.ts";
import { type MetricFamily, silentLogger } from "../../src/util/mod.ts";
import { type RunningEdge, startEdge } from "../../edge/mod.ts";
import { startTestServer, type TestServer } from "../_harness/in_process_server.ts";
import { MessageClient } from "../_harness/message_client.ts";
import { startTcpProxy, type TcpProxy } from "../_harness/tcp_proxy.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import { type Invocation, MessageType as T } from "../../src/wamp/mod.ts";
import { hostname } from "node:os";

const REMOTE = ["com.acme.site17", "com.acme.lab17"];

let core: TestServer | undefined;
let edge: RunningEdge | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  proxy?.resume();
  await edge?.stop();
  await proxy?.close();
  proxy = undefined;
  await core?.server.stop();
  edge = undefined;
  core = undefined;
});

function edgeRouter(): Router {
  return createRouter({ realms: [{ name: "site" }, { name: "lab" }], linkPeers: () => linkedPeers() });
}

async function startCore(): Promise<TestServer> {
  return await startTestServer((cfg) => {
    cfg.realms = REMOTE.map((name) => ({ ...cfg.realms[0], name }));
    cfg.listeners = [
      { ...cfg.listeners[0], edge: true },
      { ...cfg.listeners[1], edge: true },
      { ...cfg.listeners[1], name: "plainrs", edge: false },
    ];
  });
}

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sample = (families: MetricFamily[], name: string, labels: Record<string, string>) =>
  families.find((f) => f.name === name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v))?.value;

/** Sessions on the core's realm by transport (router-internal ones left out). */
function coreSessions(realm: string): string[] {
  return [...core!.server.router.realm(realm)!.sessions.values()].map((s) => s.peer.details.transport).filter((t) => t !== "local");
}

async function start(url: string, mode: "link" | "compat", router = edgeRouter(), keepalive?: object) {
  edge = await startEdge({
    uplinks: [{
      name: "cloud", url, mode, serializer: "msgpack",
      backoff: { minMs: 20, maxMs: 200 },
      ...(keepalive ? { keepalive } : {}),
      realms: [
        { local: "site", remote: REMOTE[0], export: { procedures: [{ uri: "com.acme.device.", match: "prefix" }] } },
        { local: "lab", remote: REMOTE[1], import: { procedures: [{ uri: "com.acme.cloud.", match: "prefix" }] } },
      ],
    }],
    source: "test",
    router, connectTcp: core!.runtime.connectTcp,
    readTextFile: () => Promise.reject(new Error("no files here")), env: () => undefined,
    node: "gw-test", logger: silentLogger,
  });
  return router;
}

describe("startEdge against an in-process core", () => {
  for (const [name, mode, url] of [
    ["link over tcp://", "link", (c: TestServer) => `tcp://127.0.0.1:${c.rawPort}`],
    ["link over ws://", "link", (c: TestServer) => c.wsUrl],
    ["compat over a plain RawSocket listener", "compat", (c: TestServer) => `tcp://127.0.0.1:${c.server.listeners.find((l) => l.name === "plainrs")!.port}`],
  ] as const) {
    test(`${name}: up with one core session per realm, status and metrics follow, stop leaves`, async () => {
      core = await startCore();
      const router = await start(url(core), mode);
      await until("uplink up", () => edge!.status().uplinks[0].state === "up");
      const st = edge!.status();
      expect(st.node).toBe("gw-test");
      // The core's node id (config `node`, default the host name) comes with the link handshake.
      expect(st.uplinks[0].remoteNode).toBe(mode === "link" ? hostname() : undefined);
      expect(st.uplinks[0].realms.map((r) => [r.localRealm, r.remoteRealm, r.state])).toEqual([["site", REMOTE[0], "up"], ["lab", REMOTE[1], "up"]]);
      const transport = mode === "link" ? "edge" : "rawsocket";
      expect(coreSessions(REMOTE[0])).toEqual([transport]);
      expect(coreSessions(REMOTE[1])).toEqual([transport]);
      expect(sample(edge!.metrics(), "causeway_edge_link_up", { uplink: "cloud" })).toBe(1);

      // A local callee's registration inside the export filter is registered on the core and
      // answers calls made there.
      const [c, r] = linkedPeers();
      router.attach(r);
      const local = new MessageClient(c);
      await local.join("site");
      await local.register("com.acme.device.ping");
      const [cc, cr] = linkedPeers();
      core.server.router.attach(cr);
      const remote = new MessageClient(cc);
      await remote.join(REMOTE[0]);
      // Wait for the export through the core's meta API, then call it there.
      await until("export registered on the core", async () => {
        const lookup = await remote.replyTo(remote.call("wamp.registration.lookup", ["com.acme.device.ping"]));
        return (lookup as { args?: unknown[] }).args?.[0] != null;
      });
      const request = remote.call("com.acme.device.ping", [1]);
      const inv = await local.nextOfType<Invocation>(T.INVOCATION);
      expect(inv.args).toEqual([1]);
      local.send({ type: T.YIELD, request: inv.request, options: {}, args: ["pong"] });
      const result = await remote.replyTo(request);
      expect(result).toMatchObject({ type: T.RESULT, args: ["pong"] });

      // The status procedure on both bridged realms.
      const call = local.call("causeway.edge.status");
      const reply = await local.replyTo(call);
      expect(reply.type).toBe(T.RESULT);
      expect((reply as { args: Array<{ uplinks: Array<{ state: string }> }> }).args[0].uplinks[0].state).toBe("up");

      await edge!.stop();
      edge = undefined;
      await until("core sessions gone", () => coreSessions(REMOTE[0]).length === 0 && coreSessions(REMOTE[1]).length === 0);
    });
  }

  test("the core going away: backoff with reconnect attempts, imports fail fast, back up when it returns on the same port", async () => {
    core = await startCore();
    const port = core.rawPort;
    const router = await start(`tcp://127.0.0.1:${port}`, "link");
    await until("up", () => edge!.status().uplinks[0].state === "up");
    await core.server.stop();
    core = undefined;
    // (While the old core shuts down it may still accept a link and refuse the sessions.)
    await until("refused reconnect attempts", () => edge!.status().uplinks[0].lastError?.includes(`127.0.0.1:${port}`));
    await until("reconnect attempts", () => edge!.status().uplinks[0].reconnects >= 2);
    expect(sample(edge!.metrics(), "causeway_edge_link_up", { uplink: "cloud" })).toBe(0);
    expect(edge!.status().uplinks[0].lastError).toContain(`127.0.0.1:${port}`);
    expect(edge!.status().uplinks[0].realms.every((r) => r.state === "down")).toBe(true);
    // Imported procedures fail fast meanwhile (the bridge registered the import filter locally).
    const [c, r] = linkedPeers();
    router.attach(r);
    const local = new MessageClient(c);
    await local.join("lab");
    const reply = await local.replyTo(local.call("com.acme.cloud.anything"));
    expect(reply).toMatchObject({ type: T.ERROR, error: "wamp.error.unavailable" });
    // The same port again (a restarted core).
    core = await startTestServer((cfg) => {
      cfg.realms = REMOTE.map((name) => ({ ...cfg.realms[0], name }));
      cfg.listeners = [{ ...cfg.listeners[0], edge: true }, { ...cfg.listeners[1], port, edge: true }];
    });
    await until("up again", () => edge!.status().uplinks[0].state === "up");
    expect(coreSessions(REMOTE[0])).toEqual(["edge"]);
  });

  for (const mode of ["link", "compat"] as const) {
    test(`${mode}: a connection frozen without FIN is noticed by the keepalive and replaced; idle periods with answered probes are not`, async () => {
      core = await startCore();
      const port = mode === "link" ? core.rawPort : core.server.listeners.find((l) => l.name === "plainrs")!.port;
      proxy = await startTcpProxy({ host: "127.0.0.1", port });
      await start(`tcp://127.0.0.1:${proxy.port}`, mode, edgeRouter(), { intervalMs: 150, timeoutMs: 100, maxAttempts: 2 });
      await until("up", () => edge!.status().uplinks[0].state === "up");
      // Several idle keepalive intervals: probes go out (compat: CALLs injected into the
      // bridges' sessions) and are answered; the core keeps the sessions (no protocol violation).
      await new Promise((r) => setTimeout(r, 800));
      expect(edge!.status().uplinks[0].state).toBe("up");
      expect(edge!.status().uplinks[0].reconnects).toBe(0);
      expect(coreSessions(REMOTE[0])).toHaveLength(1);

      proxy.freeze();
      await until("keepalive timeout", () => edge!.status().uplinks[0].lastError?.includes("keepalive"));
      expect(proxy.connections).toBeGreaterThanOrEqual(1); // nothing was closed by the network
      proxy.resume();
      await until("up again", () => edge!.status().uplinks[0].state === "up" && edge!.status().uplinks[0].reconnects >= 1);
    });
  }

  test("RunningServer.addMetrics: families rendered on /metrics at each scrape; a failing collector is left out; removable", async () => {
    core = await startCore();
    let value = 1;
    const remove = core.server.addMetrics(() => [{ name: "causeway_edge_test_gauge", help: "A test family.", kind: "gauge", samples: [{ labels: { uplink: "x" }, value }] }]);
    core.server.addMetrics(() => {
      throw new Error("broken collector");
    });
    const metricsUrl = core.wsUrl.replace(/^ws/, "http").replace(/\/ws$/, "/metrics");
    const scrape = async () => {
      const res = await fetch(metricsUrl);
      expect(res.status).toBe(200);
      return await res.text();
    };
    expect(await scrape()).toContain('causeway_edge_test_gauge{uplink="x"} 1\n');
    value = 7;
    const text = await scrape();
    expect(text).toContain("# TYPE causeway_edge_test_gauge gauge\n");
    expect(text).toContain('causeway_edge_test_gauge{uplink="x"} 7\n');
    expect(text).toContain("causeway_sessions_joined_total");
    remove();
    expect(await scrape()).not.toContain("causeway_edge_test_gauge");
  });

  test("a core that opens the carrier but never answers LINK_HELLO: handshaking, then backoff after connectTimeoutMs", async () => {
    const { createServer } = await import("node:net");
    // Accepts the RawSocket handshake for serializer 15 (edge link), then stays silent.
    const silent = createServer((sock) => {
      sock.once("data", () => sock.write(new Uint8Array([0x7f, 0xff, 0, 0])));
      sock.on("error", () => {});
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    try {
      const runtime = await detectRuntime();
      const router = edgeRouter();
      edge = await startEdge({
        uplinks: [{ name: "cloud", url: `tcp://127.0.0.1:${port}`, connectTimeoutMs: 300, backoff: { minMs: 5000, maxMs: 5000 }, realms: [{ local: "site" }] }],
        router, connectTcp: runtime.connectTcp, readTextFile: () => Promise.reject(new Error("none")), env: () => undefined, logger: silentLogger,
      });
      await until("handshaking", () => edge!.status().uplinks[0].state === "handshaking");
      expect(sample(edge!.metrics(), "causeway_edge_link_state", { uplink: "cloud", state: "handshaking" })).toBe(1);
      await until("backoff", () => edge!.status().uplinks[0].state === "backoff");
      expect(edge!.status().uplinks[0].lastError).toContain(`tcp://127.0.0.1:${port}`);
    } finally {
      await edge?.stop();
      edge = undefined;
      silent.close();
    }
  });

  test("a local realm the router does not have stops the start, naming it", async () => {
    core = await startCore();
    const router = createRouter({ realms: [{ name: "site" }], linkPeers: () => linkedPeers() });
    const err = await start(`tcp://127.0.0.1:${core.rawPort}`, "link", router).then(() => "", (e: Error) => e.message);
    expect(err).toBe('Cannot start uplink "cloud": local realm "lab" (uplinks.0.realms.1.local) does not exist on this router; add it to realms[] or fix the name');
  });
});
