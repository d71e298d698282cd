// The same bridge with both routers running on Deno (`deno run -A mod.ts`): Deno's node:net
// carries the tcp:// link (through the TCP proxy) and its WebSocket client the ws:// link of a
// second edge; RPC both ways, an event each way, and a frozen link noticed and healed.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { connectWampy } from "../interop/_wampy.ts";
import { InteropClients, payload } from "../interop/_client.ts";
import {
  AbSessions, Events, eventually, failure, proxyTo, REMOTE, type RouterProcess, startCore, startEdge, type TcpProxy, UPLINK,
  waitLink,
} from "./_edge.ts";

// test/_setup.ts sets 20 s, but Bun 1.4.5 applies a preload's setDefaultTimeout to the first
// test file of a run only; every later file would get 5 s.
setDefaultTimeout(20_000);

let core: RouterProcess;
let tcpEdge: RouterProcess;
let wsEdge: RouterProcess;
let proxy: TcpProxy;
const ab = new AbSessions();
const clients = new InteropClients();

const site = {
  local: "site",
  remote: REMOTE.site,
  export: { procedures: [{ uri: "com.acme.device.", match: "prefix" as const }], topics: [{ uri: "com.acme.telemetry.", match: "prefix" as const }] },
  import: { procedures: [{ uri: "com.acme.cloud.", match: "prefix" as const }], topics: [{ uri: "com.acme.cmd.", match: "prefix" as const }] },
};

beforeAll(async () => {
  core = await startCore({}, "deno");
  proxy = await proxyTo(core);
  [tcpEdge, wsEdge] = await Promise.all([
    startEdge({ url: `tcp://127.0.0.1:${proxy.port}`, serializer: "msgpack", node: "gw-deno-tcp", realms: [site] }, {}, "deno"),
    startEdge({ url: core.wsUrl, serializer: "json", node: "gw-deno-ws", realms: [site] }, {}, "deno"),
  ]);
  await Promise.all([waitLink(tcpEdge, true, 30_000), waitLink(wsEdge, true, 30_000)]);
}, 120_000);

afterAll(async () => {
  proxy?.resume();
  ab.closeAll();
  await clients.closeAll();
  await Promise.all([tcpEdge?.stop(), wsEdge?.stop()]);
  await core?.stop();
  await proxy?.close();
});

const wampyOn = (router: RouterProcess, realm: string) => clients.track(connectWampy(router.wsUrl, "json", realm));

describe("edge and core on Deno", () => {
  test("RPC both ways over the tcp:// and the ws:// link", async () => {
    const coreCaller = await wampyOn(core, REMOTE.site);
    const coreCallee = await wampyOn(core, REMOTE.site);
    await coreCallee.register("com.acme.cloud.now", () => payload(["noon"]));
    for (const [edge, name] of [[tcpEdge, "tcp"], [wsEdge, "ws"]] as const) {
      const callee = await wampyOn(edge, "site");
      await callee.register(`com.acme.device.${name}`, ({ args }) => payload([name, ...args]));
      expect((await eventually(`export over ${name}`, () => coreCaller.call(`com.acme.device.${name}`, [1]))).args).toEqual([name, 1]);
      const caller = await wampyOn(edge, "site");
      expect((await caller.call("com.acme.cloud.now")).args).toEqual(["noon"]);
    }
  });

  test("events both ways", async () => {
    const coreSub = await ab.connect(core.wsUrl, REMOTE.site);
    const atCore = new Events();
    await coreSub.subscribe("com.acme.telemetry.deno", (args, kwargs) => atCore.push({ args, kwargs }));
    const edgePub = await wampyOn(tcpEdge, "site");
    await eventually("edge event at the core", async () => {
      await edgePub.publish("com.acme.telemetry.deno", ["up"], {}, { acknowledge: true });
      return atCore.next(300, "up");
    });

    const edgeSub = await ab.connect(wsEdge.wsUrl, "site");
    const atEdge = new Events();
    await edgeSub.subscribe("com.acme.cmd.deno", (args, kwargs) => atEdge.push({ args, kwargs }));
    const corePub = await wampyOn(core, REMOTE.site);
    const e = await eventually("core event at the edge", async () => {
      await corePub.publish("com.acme.cmd.deno", ["down"], {}, { acknowledge: true });
      return atEdge.next(300, "down");
    });
    expect(e.args).toEqual(["down"]);
  });

  test("a frozen tcp:// link is noticed and heals", async () => {
    const caller = await wampyOn(tcpEdge, "site");
    proxy.freeze();
    await waitLink(tcpEdge, false, 15_000);
    const down = await failure(caller.call("com.acme.cloud.now"), 3000);
    expect(down.error).toBe("wamp.error.unavailable");
    expect(JSON.stringify(down.args)).toContain(UPLINK);
    // The other edge (its own link) is not affected.
    expect((await wampyOn(wsEdge, "site").then((c) => c.call("com.acme.cloud.now"))).args).toEqual(["noon"]);
    proxy.resume();
    await waitLink(tcpEdge, true, 15_000);
    expect((await eventually("import after healing", () => caller.call("com.acme.cloud.now"))).args).toEqual(["noon"]);
  });
});
