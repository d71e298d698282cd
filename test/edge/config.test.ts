import { describe, expect, test } from "bun:test";
import { parseUplinks, resolveUplinkAuths } from "../../edge/config.ts";

const SRC = "edge.json";
const SEED = "9d".repeat(32);

/** One minimal valid uplink, with overrides. */
const uplink = (over: Record<string, unknown> = {}) => ({ name: "cloud", url: "ws://core.example:8080/ws", realms: [{ local: "site" }], ...over });

const errorOf = (raw: unknown): string => {
  try {
    parseUplinks(raw, SRC);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected a config error");
};

describe("uplinks config", () => {
  test("no uplinks section means no uplinks", () => {
    expect(parseUplinks(undefined, SRC)).toEqual([]);
    expect(parseUplinks([], SRC)).toEqual([]);
  });

  test("fills every default", () => {
    const [u] = parseUplinks([uplink()], SRC);
    expect(u).toEqual({
      name: "cloud", url: "ws://core.example:8080/ws", mode: "link", serializer: "json",
      auth: { method: "anonymous" },
      backoff: { minMs: 500, maxMs: 30_000, jitter: "equal", stableMs: 10_000 },
      keepalive: { intervalMs: 10_000, timeoutMs: 5000, maxAttempts: 3 },
      connectTimeoutMs: 10_000,
      buffer: { maxMessages: 10_000, overflow: "drop_oldest" },
      realms: [{ local: "site", export: { procedures: [], topics: [] }, import: { procedures: [], topics: [] } }],
    });
  });

  test("accepts the README's full example", () => {
    const [u] = parseUplinks([{
      name: "cloud", url: "wss://core.example:8443/ws", mode: "link", node: "gw-17", serializer: "msgpack",
      tls: { ca: "/etc/causeway/ca.pem", rejectUnauthorized: true, serverName: "core.example" },
      auth: { authid: "gw-17", method: "cryptosign", privateKeyFile: "/etc/causeway/gw17.key" },
      backoff: { minMs: 500, maxMs: 30_000 },
      keepalive: { intervalMs: 10_000, timeoutMs: 5000, maxAttempts: 3 },
      buffer: { maxMessages: 10_000, overflow: "drop_oldest" },
      realms: [{
        local: "site", remote: "com.acme.site17",
        export: { procedures: [{ uri: "com.acme.device.", match: "prefix" }], topics: [{ uri: "com.acme.telemetry.", match: "prefix" }] },
        import: { procedures: [{ uri: "com.acme.cloud.", match: "prefix" }], topics: [{ uri: "com.acme.cmd.", match: "prefix" }] },
      }, { local: "lab", auth: { method: "ticket", authid: "lab-gw", ticketEnv: "LAB_TICKET" } }],
    }], SRC);
    expect(u.realms[0].export.procedures).toEqual([{ uri: "com.acme.device.", match: "prefix" }]);
    expect(u.realms[1].auth).toEqual({ method: "ticket", authid: "lab-gw", ticketEnv: "LAB_TICKET" });
    expect(u.tls).toEqual({ ca: "/etc/causeway/ca.pem", rejectUnauthorized: true, serverName: "core.example" });
  });

  test("refuses a private key or ticket written in clear, naming the key and where it goes instead", () => {
    expect(errorOf([uplink({ auth: { method: "cryptosign", authid: "gw", privateKey: SEED } })])).toBe(
      'Invalid config in edge.json: at "uplinks.0.auth.privateKey": secrets are not accepted in the config file in clear; remove "privateKey" and use privateKeyFile (a file with the 64-hex-character seed) or privateKeyEnv (an environment variable)',
    );
    expect(errorOf([uplink({ realms: [{ local: "site", auth: { method: "ticket", authid: "gw", ticket: "s3cret" } }] })])).toContain(
      'at "uplinks.0.realms.0.auth.ticket": secrets are not accepted in the config file in clear; remove "ticket" and use ticketFile',
    );
    expect(errorOf([uplink({ auth: { password: "x" } })])).toContain('"uplinks.0.auth.password"');
  });

  test("names the key and the fix for bad values", () => {
    expect(errorOf([uplink({ url: "http://core:8080" })])).toBe(
      'Invalid config in edge.json: at "uplinks.0.url": must be ws://host:port/path, wss://…, tcp://host:port or tls://host:port (got "http://core:8080")',
    );
    expect(errorOf([uplink({ url: "tcp://core" })])).toContain("a tcp:// url needs a port, e.g. tcp://core.example:8081");
    expect(errorOf([uplink({ mode: "bridge" })])).toContain('at "uplinks.0.mode"');
    expect(errorOf([uplink({ realms: [] })])).toBe(
      'Invalid config in edge.json: at "uplinks.0.realms": must list at least one realm to bridge: [{"local": "realm1"}] (got [])',
    );
    expect(errorOf([uplink({ realms: [{ local: "site", export: { procedures: [{ uri: "com..x" }] } }] })])).toContain(
      'at "uplinks.0.realms.0.export.procedures.0.uri": "com..x" is not a valid exact URI pattern',
    );
    expect(errorOf([uplink({ keepalive: { intervalMs: 5 } })])).toContain('at "uplinks.0.keepalive.intervalMs"');
    expect(errorOf([uplink({ backoff: { minMs: 5000, maxMs: 1000 } })])).toBe(
      'Invalid config in edge.json: at "uplinks.0.backoff": minMs (5000) must not exceed maxMs (1000)',
    );
    expect(errorOf([uplink({ colour: "red" })])).toContain('unknown key "uplinks.0.colour"');
    expect(errorOf({ name: "x" })).toContain('at "uplinks": must be an array');
  });

  test("checks names, realms and auth consistency", () => {
    expect(errorOf([uplink(), uplink()])).toContain('at "uplinks.1.name": uplink name "cloud" is used twice');
    expect(errorOf([uplink({ realms: [{ local: "site" }, { local: "site" }] })])).toContain('at "uplinks.0.realms.1.local": local realm "site" is bridged twice');
    expect(errorOf([uplink({ auth: { method: "cryptosign", privateKeyFile: "/k" } })])).toContain('at "uplinks.0.auth.authid": cryptosign needs an authid');
    expect(errorOf([uplink({ auth: { method: "cryptosign", authid: "gw" } })])).toContain("cryptosign needs exactly one of privateKeyFile");
    expect(errorOf([uplink({ auth: { method: "cryptosign", authid: "gw", privateKeyFile: "/k", privateKeyEnv: "K" } })])).toContain("exactly one of");
    expect(errorOf([uplink({ auth: { method: "ticket", authid: "gw" } })])).toContain("the ticket method needs exactly one of ticketFile");
    expect(errorOf([uplink({ auth: { privateKeyFile: "/k" } })])).toContain('at "uplinks.0.auth.method": a key or ticket source is set but the method is "anonymous"');
    expect(errorOf([uplink({ auth: { method: "ticket", authid: "a", ticketEnv: "not a name" } })])).toContain('at "uplinks.0.auth.ticketEnv"');
    expect(errorOf([uplink({ tls: { ca: "/ca.pem" } })])).toContain('at "uplinks.0.tls": TLS options need a wss:// or tls:// url');
    expect(errorOf([uplink({ mode: "compat", url: "wss://core:443/ws", tls: { ca: "/ca.pem" } })])).toContain("use a tls:// (RawSocket) url for a private CA");
  });
});

describe("uplink secrets", () => {
  const files: Record<string, string> = { "/etc/gw.key": `${SEED}\n`, "/etc/lab.ticket": " t1cket \n", "/etc/long.key": SEED + "ab".repeat(32), "/etc/bad.key": "not hex" };
  const io = (env: Record<string, string> = {}) => ({
    readTextFile: (p: string) => (p in files ? Promise.resolve(files[p]) : Promise.reject(new Error(`ENOENT: no such file or directory, open '${p}'`))),
    env: (n: string) => env[n],
  });
  const errorOfResolve = async (raw: unknown[], env: Record<string, string> = {}) => {
    try {
      await resolveUplinkAuths(parseUplinks(raw, SRC), io(env), SRC);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error("expected an error");
  };

  test("reads keys and tickets from files and env; a realm's auth overrides the uplink's", async () => {
    const uplinks = parseUplinks([uplink({
      auth: { method: "cryptosign", authid: "gw-17", privateKeyFile: "/etc/gw.key" },
      realms: [
        { local: "site" },
        { local: "lab", auth: { method: "ticket", authid: "lab", ticketFile: "/etc/lab.ticket" } },
        { local: "env", auth: { method: "cryptosign", authid: "e", privateKeyEnv: "EDGE_KEY" } },
        { local: "open", auth: { authid: "visitor" } },
      ],
    })], SRC);
    const [auths] = await resolveUplinkAuths(uplinks, io({ EDGE_KEY: SEED.toUpperCase() }), SRC);
    expect(auths).toEqual([
      { method: "cryptosign", authid: "gw-17", privateKeyHex: SEED },
      { method: "ticket", authid: "lab", ticket: "t1cket" },
      { method: "cryptosign", authid: "e", privateKeyHex: SEED },
      { method: "anonymous", authid: "visitor" },
    ]);
  });

  test("a 64-byte key file (seed + public key) yields the seed", async () => {
    const uplinks = parseUplinks([uplink({ auth: { method: "cryptosign", authid: "gw", privateKeyFile: "/etc/long.key" } })], SRC);
    const [[a]] = await resolveUplinkAuths(uplinks, io(), SRC);
    expect(a).toEqual({ method: "cryptosign", authid: "gw", privateKeyHex: SEED });
  });

  test("missing files, unset variables and malformed keys are named", async () => {
    expect(await errorOfResolve([uplink({ auth: { method: "cryptosign", authid: "gw", privateKeyFile: "/etc/none.key" } })])).toBe(
      "Invalid config in edge.json: at \"uplinks.0.auth.privateKeyFile\": cannot read /etc/none.key: ENOENT: no such file or directory, open '/etc/none.key'",
    );
    expect(await errorOfResolve([uplink({ realms: [{ local: "s", auth: { method: "ticket", authid: "gw", ticketEnv: "GW_TICKET" } }] })])).toBe(
      'Invalid config in edge.json: at "uplinks.0.realms.0.auth.ticketEnv": the environment variable GW_TICKET is not set (or empty); set it before starting',
    );
    expect(await errorOfResolve([uplink({ auth: { method: "cryptosign", authid: "gw", privateKeyFile: "/etc/bad.key" } })])).toBe(
      'Invalid config in edge.json: at "uplinks.0.auth.privateKeyFile": the Ed25519 private key must be 64 hex characters (the 32-byte seed)',
    );
  });
});

describe("the README's Edge section", () => {
  test("its core and edge configs are valid as written", async () => {
    const { readFileSync } = await import("node:fs");
    const { parseConfig } = await import("../../src/config.ts");
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("\n## Edge\n"), readme.indexOf("\n## Edge link\n"));
    const blocks = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]);
    const [core, edge] = blocks.map((b) => JSON.parse(b));
    expect(parseConfig(core, "README core").listeners[0].edge).toBe(true);
    const cfg = parseConfig(edge, "README edge");
    const [u] = parseUplinks(cfg.uplinks, "README edge");
    expect(u.realms[0].remote).toBe("com.acme.site17");
    expect(u.auth).toEqual({ method: "cryptosign", authid: "gw-17", privateKeyFile: "/etc/causeway/gw17.key" });
    // Every bridged realm exists on both sides.
    expect(u.realms.map((r) => r.local).every((l) => cfg.realms.some((r) => r.name === l))).toBe(true);
    const coreRealms = parseConfig(core, "README core").realms.map((r) => r.name);
    expect(u.realms.map((r) => r.remote ?? r.local).every((r) => coreRealms.includes(r))).toBe(true);
  });
});

describe("causeway check-config with uplinks", () => {
  test("prints the uplinks with defaults and redacted secrets; a bad section exits 2 naming the key", async () => {
    const { spawnSync } = await import("node:child_process");
    const { mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const { REPO_ROOT } = await import("../_harness/router_process.ts");
    const dir = mkdtempSync(join(tmpdir(), "causeway-edge-config-"));
    try {
      const keyFile = join(dir, "gw.key");
      writeFileSync(keyFile, SEED);
      const good = join(dir, "good.json");
      writeFileSync(good, JSON.stringify({
        realms: [{ name: "site" }],
        uplinks: [uplink({ auth: { method: "cryptosign", authid: "gw", privateKeyFile: keyFile }, realms: [{ local: "site", auth: { method: "ticket", authid: "t", ticketEnv: "EDGE_TICKET" } }] })],
      }));
      const run = (file: string, env: Record<string, string> = {}) =>
        spawnSync(join(REPO_ROOT, "node_modules", ".bin", "bun"), ["mod.ts", "check-config", file], { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, ...env } });
      const ok = run(good, { EDGE_TICKET: "abc" });
      expect(ok.status).toBe(0);
      const printed = JSON.parse(ok.stdout);
      expect(printed.uplinks[0].keepalive).toEqual({ intervalMs: 10_000, timeoutMs: 5000, maxAttempts: 3 });
      // Paths and variable names of secrets are redacted like every secret-named key.
      expect(printed.uplinks[0].auth.privateKeyFile).toBe("<redacted>");
      expect(ok.stdout).not.toContain(SEED);

      const missingEnv = run(good);
      expect(missingEnv.status).toBe(2);
      expect(missingEnv.stderr).toContain('at "uplinks.0.realms.0.auth.ticketEnv": the environment variable EDGE_TICKET is not set');

      const bad = join(dir, "bad.json");
      writeFileSync(bad, JSON.stringify({ uplinks: [uplink({ auth: { method: "cryptosign", authid: "gw", privateKey: SEED } })] }));
      const refused = run(bad);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain('at "uplinks.0.auth.privateKey": secrets are not accepted in the config file in clear');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
