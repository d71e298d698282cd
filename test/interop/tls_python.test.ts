// TLS end to end: the router process with wss:// and RawSocket-over-TLS listeners (certificates
// from a CA made here with openssl), python3-autobahn clients that trust only that CA, and a
// SIGHUP certificate swap that new connections see while open sessions keep working.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as tls from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RouterProcess, startRouterProcess } from "../_harness/router_process.ts";
import { PYTHON, startPythonScript } from "./_python.ts";

const HAVE = existsSync("/usr/bin/openssl") && existsSync(PYTHON);
let dir = "";

function openssl(...args: string[]): void {
  execFileSync("/usr/bin/openssl", args, { cwd: dir, stdio: "ignore" });
}

/** A CA and two server certificates (CN causeway-a, causeway-b) for 127.0.0.1, signed by it. */
function makeCerts(): void {
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=causeway test CA");
  writeFileSync(join(dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  for (const n of ["a", "b"]) {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${n}.key`, "-out", `${n}.csr`, "-subj", `/CN=causeway-${n}`);
    openssl("x509", "-req", "-in", `${n}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${n}.crt`, "-days", "2", "-extfile", "ext.cnf");
  }
  use("a");
}

function use(n: string): void {
  copyFileSync(join(dir, `${n}.crt`), join(dir, "server.crt"));
  copyFileSync(join(dir, `${n}.key`), join(dir, "server.key"));
}

/** The CN of the certificate a new TLS connection to `port` gets, verified against the CA. */
function servedCN(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: "127.0.0.1", port, ca: readFileSync(join(dir, "ca.crt"), "utf8") }, () => {
      resolve(String(s.getPeerCertificate().subject?.CN));
      s.end();
    });
    s.on("error", reject);
  });
}

function tlsConfig() {
  const t = { cert: join(dir, "server.crt"), key: join(dir, "server.key") };
  return {
    listeners: [
      { name: "ws", transport: "websocket", port: 0, tls: t },
      { name: "rawsocket", transport: "rawsocket", port: 0, tls: t },
    ],
  };
}

async function waitLog(rp: RouterProcess, text: string, count: number, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (rp.logs.filter((l) => l.includes(text)).length < count) {
    if (Date.now() > end) throw new Error(`no ${count}× "${text}" in the log:\n${rp.logs.join("\n")}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(() => {
  if (!HAVE) return;
  dir = mkdtempSync(join(tmpdir(), "causeway-tls-"));
  makeCerts();
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!HAVE)("TLS listeners (python3-autobahn, bun router)", () => {
  test("wss:// and rss:// sessions verified against a CA; SIGHUP swaps the certificate for new connections, open sessions keep working", async () => {
    use("a");
    const rp = await startRouterProcess({ config: tlsConfig() });
    try {
      expect(rp.wsUrl).toStartWith("wss://");
      const rss = `rss://127.0.0.1:${rp.rawsocketPort}`;
      const go = join(dir, "go");
      rmSync(go, { force: true });
      const ca = join(dir, "ca.crt");
      const wsPeer = startPythonScript("tls_peer.py", [rp.wsUrl, ca, "ws", go]);
      const rsPeer = startPythonScript("tls_peer.py", [rss, ca, "rs", go]);
      const wsJoined = await wsPeer.waitFor("joined", 10_000);
      const rsJoined = await rsPeer.waitFor("joined", 10_000);
      expect(wsJoined.first).toBe("first");
      expect(rsJoined.first).toBe("first");
      const wsPort = rp.listeners.ws.port;
      expect(await servedCN(wsPort)).toBe("causeway-a");
      expect(await servedCN(rp.rawsocketPort)).toBe("causeway-a");

      use("b");
      process.kill(rp.process.pid!, "SIGHUP");
      await waitLog(rp, "\"tls reloaded\"", 2);
      expect(await servedCN(wsPort)).toBe("causeway-b");
      expect(await servedCN(rp.rawsocketPort)).toBe("causeway-b");

      // The sessions opened before the swap still work, on the same session ids.
      writeFileSync(go, "");
      const wsAfter = await wsPeer.waitFor("second", 10_000);
      const rsAfter = await rsPeer.waitFor("second", 10_000);
      expect(wsAfter).toEqual({ second: "second", session: wsJoined.joined });
      expect(rsAfter).toEqual({ second: "second", session: rsJoined.joined });
      expect(await wsPeer.exit(5000)).toBe(0);
      expect(await rsPeer.exit(5000)).toBe(0);

      // New sessions over both listeners, on the new certificate.
      const again = [startPythonScript("tls_peer.py", [rp.wsUrl, ca, "ws2", go]), startPythonScript("tls_peer.py", [rss, ca, "rs2", go])];
      for (const p of again) expect((await p.waitFor("second", 10_000)).second).toBe("second");

      // A bad file on SIGHUP: logged, the listener keeps serving the previous certificate.
      writeFileSync(join(dir, "server.crt"), "not a certificate\n");
      process.kill(rp.process.pid!, "SIGHUP");
      await waitLog(rp, "tls reload failed", 2);
      expect(rp.logs.find((l) => l.includes("tls reload failed"))).toContain("server.crt");
      expect(await servedCN(wsPort)).toBe("causeway-b");
      expect(await servedCN(rp.rawsocketPort)).toBe("causeway-b");
      expect(rp.running()).toBe(true);
    } finally {
      use("a");
      expect(await rp.stop()).toBe(0);
    }
  }, 60_000);

  test("a key that does not belong to the certificate stops the start naming both files", async () => {
    const config = tlsConfig();
    config.listeners[0].tls = { cert: join(dir, "a.crt"), key: join(dir, "b.key") };
    const err = await startRouterProcess({ config, readyTimeoutMs: 10_000 }).then(() => "started", (e: Error) => e.message);
    expect(err).toContain(`The TLS key file ${join(dir, "b.key")} of listener "ws" does not belong to the certificate in ${join(dir, "a.crt")}`);
  }, 20_000);

  test("a missing certificate file stops the start with a message naming the file", async () => {
    const config = tlsConfig();
    config.listeners[1].tls = { cert: join(dir, "nope.crt"), key: join(dir, "server.key") };
    const err = await startRouterProcess({ config, readyTimeoutMs: 10_000 }).then(() => "started", (e: Error) => e.message);
    expect(err).toContain("Cannot read the TLS cert file");
    expect(err).toContain("nope.crt");
    expect(err).toContain("\"rawsocket\"");
  }, 20_000);

  test("Deno router: wss:// and rss:// sessions work; SIGHUP swaps the RawSocket certificate, the WebSocket listener reports it cannot", async () => {
    use("a");
    const rp = await startRouterProcess({ runtime: "deno", config: tlsConfig(), readyTimeoutMs: 30_000 });
    try {
      const go = join(dir, "go-deno");
      writeFileSync(go, "");
      const ca = join(dir, "ca.crt");
      for (const url of [rp.wsUrl, `rss://127.0.0.1:${rp.rawsocketPort}`]) {
        const p = startPythonScript("tls_peer.py", [url, ca, "deno", go]);
        expect((await p.waitFor("second", 10_000)).second).toBe("second");
      }
      use("b");
      process.kill(rp.process.pid!, "SIGHUP");
      await waitLog(rp, "\"tls reloaded\"", 1);
      await waitLog(rp, "tls reload failed", 1);
      expect(rp.logs.find((l) => l.includes("tls reload failed"))).toContain("the deno runtime cannot swap the certificate of a websocket listener");
      expect(await servedCN(rp.rawsocketPort)).toBe("causeway-b");
      expect(await servedCN(rp.listeners.ws.port)).toBe("causeway-a");
    } finally {
      use("a");
      expect(await rp.stop()).toBe(0);
    }
  }, 60_000);
});
