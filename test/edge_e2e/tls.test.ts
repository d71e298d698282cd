// The link over TLS: a core with RawSocket-over-TLS and wss:// listeners (certificates from a CA
// made here with openssl), one edge on each carrier trusting only that CA (`tls.ca`), both
// bridging RPC; an edge that does not trust the CA, and one expecting another server name, are
// refused at the TLS handshake and say so, while serving locally.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectWampy } from "../interop/_wampy.ts";
import { InteropClients, payload } from "../interop/_client.ts";
import {
  eventually, REMOTE, type RouterProcess, secretsDir, startCore, startEdge, waitForLog, waitLink,
} from "./_edge.ts";

// test/_setup.ts sets 20 s, but Bun 1.4.5 applies a preload's setDefaultTimeout to the first
// test file of a run only; every later file would get 5 s.
setDefaultTimeout(20_000);

const HAVE_OPENSSL = existsSync("/usr/bin/openssl");
const files = secretsDir();
const clients = new InteropClients();
let core: RouterProcess;
const edges: RouterProcess[] = [];

function openssl(...args: string[]): void {
  execFileSync("/usr/bin/openssl", args, { cwd: files.dir, stdio: "ignore" });
}

/** CA `name`.crt and, signed by it, a server certificate for 127.0.0.1 / localhost. */
function makeCa(name: string): void {
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.crt`, "-days", "2", "-subj", `/CN=${name}`);
}

const site = {
  local: "site",
  remote: REMOTE.site,
  export: { procedures: [{ uri: "com.acme.device.", match: "prefix" as const }] },
  import: { procedures: [{ uri: "com.acme.cloud.", match: "prefix" as const }] },
};

beforeAll(async () => {
  if (!HAVE_OPENSSL) return;
  makeCa("ca");
  makeCa("other-ca");
  writeFileSync(join(files.dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=causeway-core");
  openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "ext.cnf");
  core = await startCore({ tls: { cert: join(files.dir, "server.crt"), key: join(files.dir, "server.key") } });
}, 60_000);

afterAll(async () => {
  await clients.closeAll();
  await Promise.all(edges.map((e) => e.stop()));
  await core?.stop();
  files.cleanup();
});

async function edge(url: string, tls: { ca?: string; serverName?: string }, node: string): Promise<RouterProcess> {
  const e = await startEdge({ url, node, tls: { rejectUnauthorized: true, ...tls }, realms: [site] });
  edges.push(e);
  return e;
}

describe.skipIf(!HAVE_OPENSSL)("edge link over TLS", () => {
  test("tls:// and wss:// links verified against the CA bridge RPC both ways", async () => {
    const ca = join(files.dir, "ca.crt");
    const tlsEdge = await edge(`tls://127.0.0.1:${core.listeners.tlsrs.port}`, { ca }, "gw-tls");
    const wssEdge = await edge(`wss://127.0.0.1:${core.listeners.wss.port}/ws`, { ca }, "gw-wss");
    await Promise.all([waitLink(tlsEdge, true), waitLink(wssEdge, true)]);

    const coreCallee = await clients.track(connectWampy(core.wsUrl, "json", REMOTE.site));
    await coreCallee.register("com.acme.cloud.time", () => payload(["noon"]));
    const coreCaller = await clients.track(connectWampy(core.wsUrl, "json", REMOTE.site));
    for (const [e, name] of [[tlsEdge, "tls"], [wssEdge, "wss"]] as const) {
      const callee = await clients.track(connectWampy(e.wsUrl, "json", "site"));
      await callee.register(`com.acme.device.${name}`, () => payload([name]));
      expect((await eventually(`export over ${name}`, () => coreCaller.call(`com.acme.device.${name}`))).args).toEqual([name]);
      expect((await callee.call("com.acme.cloud.time")).args).toEqual(["noon"]);
    }
  });

  test("an edge that does not trust the core's CA is refused and says why; it keeps serving locally", async () => {
    const e = await edge(`tls://127.0.0.1:${core.listeners.tlsrs.port}`, { ca: join(files.dir, "other-ca.crt") }, "gw-untrusting");
    const line = await waitForLog(e, ["uplink could not connect"]);
    expect(line.toLowerCase()).toMatch(/certificate|self.signed|verify|unable to/);
    const local = await clients.track(connectWampy(e.wsUrl, "json", "site"));
    await local.register("com.acme.device.local", () => payload(["local"]));
    expect((await local.call("com.acme.device.local")).args).toEqual(["local"]);
    expect(await waitLink(e, false)).toBe(0);
  });

  test("an edge expecting another server name is refused", async () => {
    const e = await edge(`tls://127.0.0.1:${core.listeners.tlsrs.port}`, { ca: join(files.dir, "ca.crt"), serverName: "core.example" }, "gw-wrong-name");
    const line = await waitForLog(e, ["uplink could not connect"]);
    expect(line.toLowerCase()).toMatch(/core\.example|altname|hostname|host name|does not match/);
  });
});
