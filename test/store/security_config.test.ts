// The config's `store` and per-realm `security` sections: defaults, env override, clear errors.
import { describe, expect, test } from "bun:test";
import { applyEnv, defaultConfig, parseConfig } from "../../src/config.ts";

const realm = (security: object) => ({ realms: [{ name: "r", security }] });

describe("security config", () => {
  test("the embedded default has security disabled and the store in ./data", () => {
    const cfg = defaultConfig();
    expect(cfg.store).toEqual({ dataDir: "./data" });
    expect(cfg.realms[0].security).toEqual({
      enabled: false, isPrototype: false, allowConnections: true, users: [], groups: [], grants: [], sources: [],
    });
  });

  test("CAUSEWAY_DATA_DIR overrides store.dataDir", () => {
    const cfg = applyEnv(defaultConfig(), (n) => (n === "CAUSEWAY_DATA_DIR" ? ":memory:" : undefined));
    expect(cfg.store.dataDir).toBe(":memory:");
  });

  test("user, grant and source entries get their defaults", () => {
    const cfg = parseConfig(realm({
      users: [{ authid: "a" }],
      grants: [{ permissions: ["wamp.call"], uri: "com.x", to: { user: "a" } }],
      sources: [{ cidr: "::/0", authmethods: ["ticket"], to: { group: "g" } }],
    }), "c.json");
    const s = cfg.realms[0].security;
    expect(s.users[0]).toEqual({ authid: "a", groups: [], enabled: true, meta: {} });
    expect(s.grants[0]).toEqual({ permissions: ["wamp.call"], uri: "com.x", match: "exact", to: { user: "a" } });
    expect(s.sources[0].to).toEqual({ group: "g" });
  });

  const bad: Array<[string, object, string]> = [
    ["an unknown user key", realm({ users: [{ authid: "a", passwd: "x" }] }), 'unknown key "realms.0.security.users.0.passwd"'],
    ["a duplicate authid", realm({ users: [{ authid: "a" }, { authid: "a" }] }), 'authid "a" is listed twice'],
    ["an unknown permission", realm({ grants: [{ permissions: ["wamp.calls"], uri: "any", to: "all" }] }), 'at "realms.0.security.grants.0.permissions.0"'],
    ["a bad principal", realm({ grants: [{ permissions: ["wamp.call"], uri: "any", to: "everyone" }] }), 'must be "all", "anonymous", {"user": "<authid>"} or {"group": "<name>"}'],
    ["a bad CIDR", realm({ sources: [{ cidr: "10.0.0.0/33", authmethods: [], to: "all" }] }), "must be an IPv4 or IPv6 CIDR"],
    ["an IPv6 CIDR with too many groups", realm({ sources: [{ cidr: "1:2:3:4:5:6:7:8:9/64", authmethods: [], to: "all" }] }), "must be an IPv4 or IPv6 CIDR"],
    ["an unknown authmethod", realm({ authmethods: ["foo"] }), 'at "realms.0.security.authmethods.0"'],
    ["a short authorized key", realm({ users: [{ authid: "a", authorizedKeys: ["abcd"] }] }), "64 hex characters"],
    ["an undefined prototype", realm({ prototype: "p" }), 'realm "p" is not defined'],
    ["a group cycle", realm({ groups: [{ name: "a", groups: ["b"] }, { name: "b", groups: ["a"] }] }), "cycle (a → b → a)"],
    ["an empty dataDir", { store: { dataDir: "" } }, 'at "store.dataDir"'],
  ];
  for (const [what, raw, message] of bad) {
    test(`${what} is refused with a clear error`, () => {
      expect(() => parseConfig(raw, "c.json")).toThrow(message);
      expect(() => parseConfig(raw, "c.json")).toThrow("Invalid config in c.json");
    });
  }

  test("a realm may name a prototype realm defined in the same config", () => {
    const cfg = parseConfig({ realms: [{ name: "p", security: { isPrototype: true } }, { name: "r", security: { prototype: "p" } }] }, "c.json");
    expect(cfg.realms[1].security.prototype).toBe("p");
    expect(() => parseConfig({ realms: [{ name: "p" }, { name: "r", security: { prototype: "p" } }] }, "c.json")).toThrow("is not a prototype");
  });
});
