// `causeway --config edge.json` as a process, with a core that is not there: the edge starts,
// serves its local clients (autobahn-js), keeps trying to reach the core with logged reconnect
// attempts, and shows the link state in /metrics and in causeway.edge.status.
import { describe, expect, test } from "bun:test";
import { createServer } from "node:net";
import { type RouterProcess, startRouterProcess } from "../_harness/router_process.ts";
import { connectAutobahn } from "../interop/_autobahn.ts";
import { ApplicationError } from "../interop/_client.ts";

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Waits (polling the process's log) until `pred` holds for the parsed log lines. */
async function waitForLogs(rp: RouterProcess, pred: (lines: Array<Record<string, unknown>>) => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const lines = rp.logs.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    if (pred(lines)) return lines;
    if (Date.now() > end) throw new Error(`log condition not met within ${ms} ms; logs:\n${rp.logs.join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const metricValue = (text: string, series: string): number | undefined => {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe("edge process with an unreachable core", () => {
  // The same binary on both runtimes: the edge's code path does not depend on Bun.
  for (const runtime of ["bun", "deno"] as const) {
    test(`starts, serves local clients, logs reconnect attempts and exposes the link state (${runtime})`, async () => {
      const port = await closedPort();
      const url = `ws://127.0.0.1:${port}/ws`;
      const rp = await startRouterProcess({
        runtime,
        readyTimeoutMs: 30_000,
        config: {
          realms: [{ name: "site" }],
          uplinks: [{
            name: "cloud", url,
            backoff: { minMs: 50, maxMs: 200 },
            realms: [{
              local: "site", remote: "com.acme.site17",
              import: { procedures: [{ uri: "com.acme.cloud.", match: "prefix" }] },
            }],
          }],
        },
      });
      try {
        // Reconnect attempts are logged, each after a failed one.
        const lines = await waitForLogs(rp, (ls) => ls.filter((l) => l.msg === "uplink reconnecting").length >= 3);
        const failed = lines.filter((l) => l.msg === "uplink could not connect");
        expect(failed.length).toBeGreaterThanOrEqual(3);
        expect(failed[0]).toMatchObject({ uplink: "cloud", url });
        expect(String(failed[0].reason)).toContain(url);
        expect(rp.running()).toBe(true);

        // Local clients are served as usual.
        const callee = await connectAutobahn({ type: "websocket", url: rp.wsUrl, serializer: "json" }, "site");
        const caller = await connectAutobahn({ type: "websocket", url: rp.wsUrl, serializer: "json" }, "site");
        await callee.register("com.acme.device.read", async ({ args }) => ({ args: [`read ${args[0]}`], kwargs: {} }));
        expect((await caller.call("com.acme.device.read", ["t1"])).args).toEqual(["read t1"]);

        // Imported procedures fail fast while the core is unreachable.
        const down = await caller.call("com.acme.cloud.config", []).then(() => undefined, (e) => e);
        expect(down).toBeInstanceOf(ApplicationError);
        expect((down as ApplicationError).uri).toBe("wamp.error.unavailable");

        // The status procedure on the bridged realm.
        const status = (await caller.call("causeway.edge.status")).args[0] as {
          uplinks: Array<{ name: string; url: string; state: string; reconnects: number; lastError?: string; realms: Array<{ localRealm: string; remoteRealm: string; state: string }> }>;
        };
        expect(status.uplinks).toHaveLength(1);
        const u = status.uplinks[0];
        expect(u).toMatchObject({ name: "cloud", url });
        expect(["connecting", "backoff"]).toContain(u.state);
        expect(u.reconnects).toBeGreaterThanOrEqual(3);
        expect(u.lastError).toContain(url);
        expect(u.realms.map((r) => [r.localRealm, r.remoteRealm, r.state])).toEqual([["site", "com.acme.site17", "down"]]);

        // /metrics on the WebSocket listener's HTTP server.
        const wsPort = rp.listeners.ws.port;
        const text = await (await fetch(`http://127.0.0.1:${wsPort}/metrics`)).text();
        expect(metricValue(text, 'causeway_edge_link_up{uplink="cloud"}')).toBe(0);
        expect(metricValue(text, 'causeway_edge_reconnects_total{uplink="cloud"}')).toBeGreaterThanOrEqual(3);
        expect(metricValue(text, 'causeway_edge_link_state{uplink="cloud",state="up"}')).toBe(0);
        const connecting = metricValue(text, 'causeway_edge_link_state{uplink="cloud",state="connecting"}')!;
        const backoff = metricValue(text, 'causeway_edge_link_state{uplink="cloud",state="backoff"}')!;
        expect(connecting + backoff).toBe(1);
        expect(metricValue(text, 'causeway_edge_buffer_depth{uplink="cloud",realm="site"}')).toBe(0);
        expect(metricValue(text, 'causeway_edge_bridged_messages_total{uplink="cloud",realm="site",direction="out",kind="call"}')).toBe(0);

        await callee.close();
        await caller.close();
      } finally {
        expect(await rp.stop()).toBe(0);
      }
    }, 40_000);
  }

  test("a key in clear in the uplinks section stops the start with exit 2, naming the key", async () => {
    const err = await startRouterProcess({
      config: {
        uplinks: [{ name: "cloud", url: "ws://127.0.0.1:9/ws", auth: { method: "ticket", authid: "gw", ticket: "s3cret" }, realms: [{ local: "realm1" }] }],
      },
      readyTimeoutMs: 10_000,
    }).then(() => undefined, (e: Error) => e.message);
    expect(err).toContain("router exited with code 2");
    expect(err).toContain('at "uplinks.0.auth.ticket": secrets are not accepted in the config file in clear');
  });
});

describe("the README's Edge section, as two processes", () => {
  test("the core and edge configs from the README bridge both realms over one link (cryptosign and anonymous)", async () => {
    const { readFileSync, mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("\n## Edge\n"), readme.indexOf("\n## Edge link\n"));
    const [coreConfig, edgeConfig] = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));
    const dir = mkdtempSync(join(tmpdir(), "causeway-readme-edge-"));
    // The README's example public key belongs to the seed 17…17.
    const keyFile = join(dir, "gw17.key");
    writeFileSync(keyFile, "17".repeat(32), { mode: 0o600 });
    const core = await startRouterProcess({ config: coreConfig });
    let edge: RouterProcess | undefined;
    const clients: Array<{ close(): Promise<void> }> = [];
    try {
      const uplink = edgeConfig.uplinks[0];
      uplink.url = core.wsUrl;
      uplink.auth.privateKeyFile = keyFile;
      uplink.backoff = { minMs: 50, maxMs: 500 };
      edge = await startRouterProcess({ config: edgeConfig });
      const e = edge;
      await waitForLogs(e, (ls) => ls.some((l) => l.msg === "uplink up"));
      const metrics = await (await fetch(`http://127.0.0.1:${e.listeners.ws.port}/metrics`)).text();
      expect(metricValue(metrics, 'causeway_edge_link_up{uplink="cloud"}')).toBe(1);

      // plant: a core caller reaches an edge callee (export), a core event reaches an edge subscriber (import).
      const edgeCallee = await connectAutobahn({ type: "websocket", url: e.wsUrl, serializer: "json" }, "plant");
      clients.push(edgeCallee);
      await edgeCallee.register("com.acme.plant.valve", async ({ args }) => ({ args: [`valve ${args[0]}`], kwargs: {} }));
      const alarms: unknown[] = [];
      await edgeCallee.subscribe("com.acme.plant.alarm", ({ args }) => alarms.push(args[0]));
      const coreClient = await connectAutobahn({ type: "websocket", url: core.wsUrl, serializer: "json" }, "com.acme.plant17");
      clients.push(coreClient);
      const deadline = Date.now() + 10_000;
      let answer: unknown;
      while (answer === undefined) {
        answer = await coreClient.call("com.acme.plant.valve", ["open"]).then((r) => r.args[0], (err) => {
          if (Date.now() > deadline) throw err;
          return undefined; // not exported yet
        });
        if (answer === undefined) await new Promise((r) => setTimeout(r, 50));
      }
      expect(answer).toBe("valve open");
      while (alarms.length === 0) {
        if (Date.now() > deadline) throw new Error("the core's alarm never reached the edge subscriber");
        await coreClient.publish("com.acme.plant.alarm", ["overheat"], {}, { acknowledge: true });
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(alarms[0]).toBe("overheat");

      // site: its session on the core authenticated by cryptosign as gw-17 (both realms share the link).
      const status = (await edgeCallee.call("causeway.edge.status")).args[0] as { uplinks: Array<{ remoteNode: string; realms: Array<{ localRealm: string; state: string }> }> };
      expect(status.uplinks[0].remoteNode).toBe("core-1");
      expect(status.uplinks[0].realms.map((r) => [r.localRealm, r.state])).toEqual([["site", "up"], ["plant", "up"]]);
      const joined = core.logs.filter((l) => l.includes('"session joined"') && l.includes('"transport":"edge"')).map((l) => JSON.parse(l));
      expect(joined.map((j) => [j.realm, j.authid]).sort()).toEqual([["com.acme.plant17", expect.any(String)], ["com.acme.site17", "gw-17"]]);
    } finally {
      for (const c of clients) await c.close().catch(() => {});
      await edge?.stop();
      await core.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
