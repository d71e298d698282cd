import { describe, expect, test } from "bun:test";
import { parseAdminArgs } from "../../src/admin_cli.ts";
import { craSignature } from "../../src/admin_client.ts";
import { craDerivedKey } from "../../src/auth/mod.ts";

const callOf = (argv: string[], env: Record<string, string> = {}) => {
  const c = parseAdminArgs(argv, (n) => env[n]);
  if (c.kind !== "call") throw new Error(JSON.stringify(c));
  return c;
};

describe("admin CLI arguments", () => {
  test("commands map to bondy.* calls with Bondy's argument order", () => {
    expect(callOf(["ping"]).procedure).toBe("bondy.ping");
    const add = callOf(["user", "add", "realm1", "alice", "--password", "secret123", "--group", "ops,dev"]);
    expect([add.procedure, add.args]).toEqual(["bondy.user.add", ["realm1", { authid: "alice", password: "secret123", groups: ["ops", "dev"] }]]);
    const g = callOf(["grant", "create", "realm1", "--permission", "wamp.call", "--permission", "wamp.subscribe", "--uri", "com.x", "--match", "prefix", "--to", "user:alice"]);
    expect(g.args).toEqual(["realm1", { permissions: ["wamp.call", "wamp.subscribe"], uri: "com.x", match: "prefix", to: "user:alice" }]);
    expect(callOf(["realm", "create", "com.app", "--security", "off"]).args).toEqual([{ uri: "com.app", security_enabled: false }]);
    expect(callOf(["realm", "security", "status", "realm1"]).procedure).toBe("bondy.realm.security.status");
    expect(callOf(["user", "add-group", "realm1", "alice", "ops"]).procedure).toBe("bondy.user.add_group");
    expect(callOf(["user", "list", "realm1"]).args).toEqual(["realm1"]);
    const generic = callOf(["call", "bondy.user.get", '["realm1","alice"]', '{"x":1}']);
    expect([generic.procedure, generic.args, generic.kwargs]).toEqual(["bondy.user.get", ["realm1", "alice"], { x: 1 }]);
  });

  test("connection defaults, flags and environment", () => {
    expect(callOf(["ping"]).conn).toEqual({ url: "ws://127.0.0.1:8080/ws", realm: "causeway.admin", authid: "admin" });
    expect(callOf(["ping", "--url", "rawsocket://127.0.0.1:8081", "--authid", "ops", "--admin-password", "pw"]).conn)
      .toEqual({ url: "rawsocket://127.0.0.1:8081", realm: "causeway.admin", authid: "ops", password: "pw" });
    expect(callOf(["ping"], { CAUSEWAY_ADMIN_URL: "ws://h:1/ws", CAUSEWAY_ADMIN_PASSWORD: "p" }).conn.password).toBe("p");
  });

  test("usage errors and help", () => {
    expect(parseAdminArgs([]).kind).toBe("help");
    expect(parseAdminArgs(["user", "add", "--help"]).kind).toBe("help");
    expect(parseAdminArgs(["user", "add", "realm1"])).toEqual({ kind: "error", message: expect.stringContaining("usage") });
    expect(parseAdminArgs(["grant", "create", "realm1", "--permission", "wamp.call", "--uri", "a", "--to", "robots"]).kind).toBe("error");
    expect(parseAdminArgs(["call", "x", "not json"]).kind).toBe("error");
    expect(parseAdminArgs(["frobnicate"]).kind).toBe("error");
    expect(parseAdminArgs(["ping", "--url"]).kind).toBe("error");
  });

  test("the CLI's WebCrypto WAMP-CRA signature equals the router's salted key + HMAC", async () => {
    const key = craDerivedKey("secret123", "salty", 10, 32);
    const sig = await craSignature("secret123", { challenge: "c", salt: "salty", iterations: 10, keylen: 32 });
    const expected = await craSignature(key, { challenge: "c" });
    expect(sig).toBe(expected);
  });
});
