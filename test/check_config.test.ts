import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkConfig, REDACTED, redactSecrets } from "../src/check_config.ts";
import { parseArgs } from "../src/cli.ts";
import { REPO_ROOT } from "./_harness/router_process.ts";

const files: Record<string, string> = {
  "/c.json": JSON.stringify({
    limits: { maxSessions: 5 },
    realms: [{ name: "app", security: { users: [{ authid: "alice", password: "s3cret", tickets: ["t1", "t2"], groups: [] }] } }],
  }),
  "/bad.json": JSON.stringify({ limits: { maxSessions: -1 } }),
};
const io = (env: Record<string, string> = {}) => ({
  readTextFile: (p: string) => (p in files ? Promise.resolve(files[p]) : Promise.reject(new Error("No such file or directory"))),
  env: (n: string) => env[n],
});

describe("causeway check-config", () => {
  test("parseArgs: check-config [FILE]", () => {
    expect(parseArgs(["check-config", "c.json"])).toEqual({ kind: "check-config", configPath: "c.json" });
    expect(parseArgs(["check-config"])).toEqual({ kind: "check-config", configPath: undefined });
    expect(parseArgs(["check-config", "a", "b"]).kind).toBe("error");
  });

  test("the effective config: defaults filled, env overrides applied", async () => {
    const c = await checkConfig("/c.json", io({ CAUSEWAY_LISTEN_WS: "127.0.0.1:9999", CAUSEWAY_LOG_LEVEL: "debug" }));
    expect(c.limits.maxSessions).toBe(5);
    expect(c.limits.helloTimeoutMs).toBe(10_000);
    expect(c.limits.requestsPerSecond).toBe(0);
    expect(c.listeners.find((l) => l.name === "ws")).toMatchObject({ host: "127.0.0.1", port: 9999 });
    expect(c.log.level).toBe("debug");
    const d = await checkConfig(undefined, io());
    expect(d.realms.map((r) => r.name)).toEqual(["realm1"]);
  });

  test("secrets are redacted, everything else kept", async () => {
    const c = redactSecrets(await checkConfig("/c.json", io())) as { realms: { security: { users: Record<string, unknown>[] } }[] };
    const alice = c.realms[0].security.users[0];
    expect(alice.password).toBe(REDACTED);
    expect(alice.tickets).toEqual([REDACTED, REDACTED]);
    expect(alice.authid).toBe("alice");
    expect(JSON.stringify(c)).not.toContain("s3cret");
    expect(redactSecrets({ a: { clientSecret: "x", n: 1 }, tokenTtlMs: 5, list: ["ticket"] })).toEqual({ a: { clientSecret: REDACTED, n: 1 }, tokenTtlMs: 5, list: ["ticket"] });
  });

  test("invalid: the startup error", async () => {
    await expect(checkConfig("/bad.json", io())).rejects.toThrow('Invalid config in /bad.json: at "limits.maxSessions"');
    await expect(checkConfig("/missing.json", io())).rejects.toThrow("Cannot read config /missing.json");
    await expect(checkConfig("/c.json", io({ CAUSEWAY_LOG_LEVEL: "loud" }))).rejects.toThrow("Invalid CAUSEWAY_LOG_LEVEL");
  });

  test("the command: JSON on stdout and exit 0; exit 2 and the error on stderr", () => {
    const dir = mkdtempSync(join(tmpdir(), "causeway-check-"));
    try {
      writeFileSync(join(dir, "ok.json"), files["/c.json"]);
      writeFileSync(join(dir, "bad.json"), files["/bad.json"]);
      const bin = join(REPO_ROOT, "node_modules", ".bin", "bun");
      const ok = spawnSync(bin, ["mod.ts", "check-config", join(dir, "ok.json")], { cwd: REPO_ROOT, encoding: "utf8" });
      expect(ok.status).toBe(0);
      const out = JSON.parse(ok.stdout);
      expect(out.limits.maxSessions).toBe(5);
      expect(ok.stdout).not.toContain("s3cret");
      const bad = spawnSync(bin, ["mod.ts", "check-config", join(dir, "bad.json")], { cwd: REPO_ROOT, encoding: "utf8" });
      expect(bad.status).toBe(2);
      expect(bad.stdout).toBe("");
      expect(bad.stderr).toContain('Invalid config in');
      expect(bad.stderr).toContain('"limits.maxSessions"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
