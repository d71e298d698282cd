import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectWebSocket } from "../../src/transport/mod.ts";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import { jsonSerializer } from "../../src/wamp/serializers/mod.ts";
import { MessageClient } from "../_harness/message_client.ts";
import { REPO_ROOT, startRouterProcess } from "../_harness/router_process.ts";

/** The router as an operator starts it: `bun mod.ts` with flags, files and signals. */
const bun = join(REPO_ROOT, "node_modules", ".bin", "bun");

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(bun, ["mod.ts", ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: "utf8", timeout: 15_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "causeway-cli-")), name);
  writeFileSync(file, text);
  return file;
}

describe("the router process", () => {
  test("--help prints usage and exits 0", () => {
    const r = run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage:");
    expect(r.stdout).toContain("--config FILE");
  });

  test("--version prints the version", () => {
    const r = run(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^causeway \d+\.\d+\.\d+/);
  });

  test("an unknown flag exits 2 with the reason", () => {
    const r = run(["--frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option \"--frobnicate\"");
  });

  test("a missing config file exits 2 naming the file", () => {
    const r = run(["--config", "/nonexistent/causeway.json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Cannot read config /nonexistent/causeway.json");
  });

  test("an invalid config exits 2 naming the file and the key", () => {
    const file = tempFile("bad.json", JSON.stringify({ listeners: [{ name: "ws", transport: "websocket", port: -1 }] }));
    const r = run(["--config", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toContain("listeners.0.port");
  });

  test("a port in use exits 1 naming the listener and the port", async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = run([], { CAUSEWAY_LISTEN_WS: `127.0.0.1:${port}`, CAUSEWAY_LISTEN_RAWSOCKET: "127.0.0.1:0" });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Cannot start listener "ws"`);
      expect(r.stderr).toContain(`port ${port} is in use`);
    } finally {
      blocker.close();
    }
  });

  test("a config file's realms and listeners are used", async () => {
    const router = await startRouterProcess({
      config: { realms: [{ name: "com.example.app" }], listeners: [{ name: "ws", transport: "websocket", port: 0, path: "/wamp" }] },
    });
    try {
      expect(router.wsUrl).toMatch(/\/wamp$/);
      const c = new MessageClient(await connectWebSocket(router.wsUrl, jsonSerializer));
      expect((await c.join("realm1")).type).toBe(T.ABORT);
      const c2 = new MessageClient(await connectWebSocket(router.wsUrl, jsonSerializer));
      expect((await c2.join("com.example.app")).type).toBe(T.WELCOME);
      c2.peer.close();
    } finally {
      await router.stop();
    }
  });

  test("SIGTERM says GOODBYE system_shutdown to sessions and exits 0", async () => {
    const router = await startRouterProcess();
    const c = new MessageClient(await connectWebSocket(router.wsUrl, jsonSerializer));
    await c.join();
    const code = await router.stop();
    expect(await c.nextOfType(T.GOODBYE)).toMatchObject({ reason: "wamp.close.system_shutdown" });
    expect(code).toBe(0);
    expect(router.logs.some((l) => l.includes("\"session joined\""))).toBe(true);
  });
});
