// Edge mode against a core whose realms have security on: each link channel authenticates
// (cryptosign with the seed from a file for one realm, from an environment variable for
// another, a ticket from an environment variable for the third) and is authorized by the
// core's grants like any client. The edge exports and imports more than the grants allow: what
// the grants do not cover is refused by the core, the rest flows. A wrong key never joins; a key written in clear in the config is refused at start.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startRouterProcess } from "../_harness/router_process.ts";
import { loopbackSources } from "../interop/_security.ts";
import { connectWampy } from "../interop/_wampy.ts";
import { InteropClients, payload } from "../interop/_client.ts";
import {
  AbSessions, Events, coreSessions, ed25519KeyPair, edgeConfig, eventually, failure, type RouterProcess, secretsDir, startCore,
  startEdge, waitForLog, waitLink,
} from "./_edge.ts";

// test/_setup.ts sets 20 s, but Bun 1.4.5 applies a preload's setDefaultTimeout to the first
// test file of a run only; every later file would get 5 s.
setDefaultTimeout(20_000);

const SECURE = "com.acme.secure";
const SECURE2 = "com.acme.secure2";
const SECURE3 = "com.acme.secure3";
const TICKET = "edge-ticket-7f3a";
const key = ed25519KeyPair();
const secrets = secretsDir();

/** The core realm: edges (group "edges") may do a little; anonymous test clients on the core more. */
function securedRealm(name: string) {
  return {
    name,
    security: {
      enabled: true,
      authmethods: ["anonymous", "cryptosign", "ticket"],
      sources: [...loopbackSources(["cryptosign", "ticket"]), ...loopbackSources(["anonymous"], "anonymous")],
      groups: [{ name: "edges" }],
      users: [
        { authid: "gw-17", authorizedKeys: [key.publicHex], groups: ["edges"] },
        { authid: "gw-17-t", tickets: [TICKET], groups: ["edges"] },
      ],
      grants: [
        { permissions: ["wamp.register", "wamp.unregister"], uri: "com.acme.device.", match: "prefix", to: { group: "edges" } },
        { permissions: ["wamp.call"], uri: "com.acme.cloud.open", to: { group: "edges" } },
        { permissions: ["wamp.publish"], uri: "com.acme.telemetry.", match: "prefix", to: { group: "edges" } },
        { permissions: ["wamp.subscribe", "wamp.unsubscribe"], uri: "com.acme.cmd.", match: "prefix", to: { group: "edges" } },
        // The bridge learns the core's subscriptions from the meta API.
        { permissions: ["wamp.call", "wamp.subscribe"], uri: "wamp.subscription.", match: "prefix", to: { group: "edges" } },
        // The test's own clients on the core.
        {
          permissions: ["wamp.call", "wamp.register", "wamp.subscribe", "wamp.publish"],
          uri: "com.acme.", match: "prefix", to: "anonymous",
        },
        { permissions: ["wamp.call"], uri: "wamp.", match: "prefix", to: "anonymous" },
      ],
    },
  };
}

let core: RouterProcess;
let edge: RouterProcess;
const ab = new AbSessions();
const clients = new InteropClients();

beforeAll(async () => {
  core = await startCore({ realms: [securedRealm(SECURE), securedRealm(SECURE2), securedRealm(SECURE3)] });
  const keyFile = secrets.write("gw17.key", `${key.seedHex}\n`);
  edge = await startEdge({
    url: core.wsUrl,
    auth: { method: "cryptosign", authid: "gw-17", privateKeyFile: keyFile },
    realms: [
      {
        local: "site",
        remote: SECURE,
        export: { procedures: [{ uri: "com.acme.", match: "prefix" }], topics: [{ uri: "com.acme.", match: "prefix" }] },
        import: { procedures: [{ uri: "com.acme.cloud.", match: "prefix" }] },
      },
      {
        local: "plant",
        remote: SECURE2,
        auth: { method: "ticket", authid: "gw-17-t", ticketEnv: "EDGE_E2E_TICKET" },
        export: { procedures: [{ uri: "com.acme.device.", match: "prefix" }] },
      },
      {
        local: "yard",
        remote: SECURE3,
        auth: { method: "cryptosign", authid: "gw-17", privateKeyEnv: "EDGE_E2E_KEY" },
        export: { procedures: [{ uri: "com.acme.device.", match: "prefix" }] },
      },
    ],
  }, { EDGE_E2E_TICKET: TICKET, EDGE_E2E_KEY: key.seedHex });
  await waitLink(edge, true);
}, 30_000);

afterAll(async () => {
  ab.closeAll();
  await clients.closeAll();
  await edge?.stop();
  await core?.stop();
  secrets.cleanup();
});

const wampyOn = (router: RouterProcess, realm: string) => clients.track(connectWampy(router.wsUrl, "json", realm));

describe("edge link to a core with security", () => {
  test("each channel is an authenticated session of its own on the core (cryptosign from a file or env, ticket from env)", async () => {
    const site = await eventually("edge session on the secured realm", async () => {
      const s = (await coreSessions(core, SECURE)).find((x) => (x.transport as { type?: string }).type === "edge");
      if (!s) throw new Error("no edge session yet");
      return s;
    });
    expect(site).toMatchObject({ authid: "gw-17", authrole: "edges", authmethod: "cryptosign" });
    const plant = await eventually("edge session on the second realm", async () => {
      const s = (await coreSessions(core, SECURE2)).find((x) => (x.transport as { type?: string }).type === "edge");
      if (!s) throw new Error("no edge session yet");
      return s;
    });
    expect(plant).toMatchObject({ authid: "gw-17-t", authrole: "edges", authmethod: "ticket" });
    const yard = await eventually("edge session on the third realm", async () => {
      const s = (await coreSessions(core, SECURE3)).find((x) => (x.transport as { type?: string }).type === "edge");
      if (!s) throw new Error("no edge session yet");
      return s;
    });
    expect(yard).toMatchObject({ authid: "gw-17", authrole: "edges", authmethod: "cryptosign" });
  });

  test("an export the grants allow is callable on the core; one they do not is refused there", async () => {
    const callee = await wampyOn(edge, "site");
    await callee.register("com.acme.secret.db", () => payload(["leaked"]));
    await callee.register("com.acme.device.ok", () => payload(["fine"]));
    const caller = await wampyOn(core, SECURE);
    const ok = await eventually("exported procedure on the core", () => caller.call("com.acme.device.ok"));
    expect(ok.args).toEqual(["fine"]);
    // The bridge asked to register com.acme.secret.db too (it is inside the export filter), and
    // the core refused: the procedure does not exist there.
    const denied = await failure(caller.call("com.acme.secret.db"));
    expect(denied.error).toBe("wamp.error.no_such_procedure");
    // Locally it still works.
    expect((await callee.call("com.acme.secret.db")).args).toEqual(["leaked"]);
  });

  test("an imported call the grants do not allow gets the core's not_authorized", async () => {
    const coreCallee = await wampyOn(core, SECURE);
    await coreCallee.register("com.acme.cloud.open", () => payload(["opened"]));
    await coreCallee.register("com.acme.cloud.closed", () => payload(["never"]));
    const edgeCaller = await wampyOn(edge, "site");
    expect((await eventually("granted import", () => edgeCaller.call("com.acme.cloud.open"))).args).toEqual(["opened"]);
    const denied = await failure(edgeCaller.call("com.acme.cloud.closed"));
    expect(denied.error).toBe("wamp.error.not_authorized");
  });

  test("exported publications the grants do not allow never reach the core", async () => {
    const sub = await ab.connect(core.wsUrl, SECURE);
    const inbox = new Events();
    await sub.subscribe("com.acme.secret.news", (args, kwargs) => inbox.push({ args, kwargs }));
    await sub.subscribe("com.acme.telemetry.t", (args, kwargs) => inbox.push({ args, kwargs }));
    const pub = await wampyOn(edge, "site");
    await eventually("allowed topic reaches the core", async () => {
      await pub.publish("com.acme.telemetry.t", ["probe"], {}, { acknowledge: true });
      return inbox.next(300, "probe");
    });
    const base = inbox.items.length;
    // Same bridge session, in order: had the secret one been forwarded, it would arrive first.
    await pub.publish("com.acme.secret.news", ["secret"], {}, { acknowledge: true });
    await pub.publish("com.acme.telemetry.t", ["marker"], {}, { acknowledge: true });
    while ((await inbox.next(5000, "marker")).args[0] !== "marker");
    expect(inbox.items.slice(base).map((e) => e.args[0]).filter((v) => v !== "probe")).toEqual(["marker"]);
  });

  test("the ticket realm bridges too", async () => {
    const callee = await wampyOn(edge, "plant");
    await callee.register("com.acme.device.pump", () => payload(["pumping"]));
    const caller = await wampyOn(core, SECURE2);
    expect((await eventually("export on the ticket realm", () => caller.call("com.acme.device.pump"))).args).toEqual(["pumping"]);
  });

  test("an edge with a key the core does not know never joins, says why, backs off to the maximum, and keeps serving locally", async () => {
    const other = ed25519KeyPair();
    const keyFile = secrets.write("wrong.key", other.seedHex);
    const wrong = await startEdge({
      url: core.wsUrl,
      auth: { method: "cryptosign", authid: "gw-17", privateKeyFile: keyFile },
      // A refusal needs a config change: the next attempt waits the maximum (30-60 s here).
      backoff: { minMs: 100, maxMs: 60_000 },
      realms: [{ local: "site", remote: SECURE, export: { procedures: [{ uri: "com.acme.device.", match: "prefix" }] } }],
    });
    try {
      const refused = await waitForLog(wrong, ["uplink refused by the core"]);
      expect(refused).toContain("wamp.error.authentication_failed");
      const local = await clients.track(connectWampy(wrong.wsUrl, "json", "site"));
      await local.register("com.acme.device.local", () => payload(["local"]));
      expect((await local.call("com.acme.device.local")).args).toEqual(["local"]);
      expect(await waitLink(wrong, false)).toBe(0);
      // No fast retry: over ten minimum delays, no new attempt.
      const attempts = () => wrong.logs.filter((l) => l.includes('"uplink reconnecting"')).length;
      const seen = attempts();
      await new Promise((r) => setTimeout(r, 1000));
      expect(attempts()).toBe(seen);
    } finally {
      await wrong.stop();
    }
  });

  test("a private key written in clear in the config stops the edge at start with a clear error", async () => {
    const config = edgeConfig({
      url: core.wsUrl,
      auth: { method: "cryptosign", authid: "gw-17", privateKey: key.seedHex },
      realms: [{ local: "site", remote: SECURE }],
    });
    const err = await startRouterProcess({ config, readyTimeoutMs: 10_000 }).then(
      (p) => {
        void p.stop();
        return "started";
      },
      (e: Error) => e.message,
    );
    expect(err).toContain("privateKey");
    expect(err).toContain("not accepted in the config file in clear");
  });
});
