import { describe, expect, test } from "bun:test";
import { applyEnv, ConfigError, defaultConfig, parseConfig, parseConfigText } from "../src/config.ts";

describe("configuration", () => {
  test("the embedded default is WebSocket 8080 /ws, RawSocket 8081, realm1 anonymous", () => {
    const cfg = defaultConfig();
    expect(cfg.listeners).toEqual([
      { name: "ws", transport: "websocket", host: "0.0.0.0", port: 8080, path: "/ws", edge: false },
      { name: "rawsocket", transport: "rawsocket", host: "0.0.0.0", port: 8081, path: "/ws", edge: false },
    ]);
    expect(cfg.realms).toEqual([{
      name: "realm1", anonymous: true, uriCheck: "loose", defaultCallTimeoutMs: 0, maxCallTimeoutMs: 0,
      retention: { maxTopics: 10_000, ttlMs: 0 }, trustLevels: {}, eventHistory: [],
      security: {
        enabled: false, isPrototype: false, allowConnections: true, users: [], groups: [], grants: [], sources: [],
      },
    }]);
    expect(cfg.limits).toEqual({ maxMessageSize: 16 * 1024 * 1024, outboundBufferBytes: 8 * 1024 * 1024, slowConsumerGraceMs: 5000,
      authFailureDelayMs: 250, authFailureMaxDelayMs: 8000, authenticateTimeoutMs: 30_000,
      maxSessions: 10_000, helloTimeoutMs: 10_000, requestsPerSecond: 0, requestBurst: 0,
    });
  });

  test("a partial file keeps defaults for what it leaves out", () => {
    const cfg = parseConfig({ realms: [{ name: "com.example.app", uriCheck: "strict" }] }, "c.json");
    expect(cfg.realms).toMatchObject([{ name: "com.example.app", anonymous: true, uriCheck: "strict" }]);
    expect(cfg.listeners.length).toBe(2);
  });

  const invalid: [string, unknown, string[]][] = [
    ["a port that is not a number", { listeners: [{ name: "ws", transport: "websocket", port: "80" }] }, ["c.json", "listeners.0.port", "integer"]],
    ["a port out of range", { listeners: [{ name: "ws", transport: "websocket", port: 70000 }] }, ["listeners.0.port", "0 to 65535"]],
    ["an unknown transport", { listeners: [{ name: "x", transport: "mqtt", port: 1 }] }, ["listeners.0.transport", "websocket"]],
    ["an unknown key", { realm: [] }, ["unknown key \"realm\""]],
    ["a realm name that is no URI", { realms: [{ name: "my realm" }] }, ["realms.0.name", "WAMP URI"]],
    ["a bad uriCheck", { realms: [{ name: "r", uriCheck: "lenient" }] }, ["realms.0.uriCheck", "strict"]],
    ["a duplicated listener name", { listeners: [{ name: "a", transport: "websocket", port: 1 }, { name: "a", transport: "rawsocket", port: 2 }] }, ["\"a\" is used twice"]],
    ["a too small outbound bound", { limits: { outboundBufferBytes: 10 } }, ["limits.outboundBufferBytes"]],
    ["a path without a slash", { listeners: [{ name: "ws", transport: "websocket", port: 1, path: "ws" }] }, ["listeners.0.path", "/"]],
  ];
  for (const [what, raw, parts] of invalid) {
    test(`${what} is refused with a message naming the key`, () => {
      let message = "";
      try {
        parseConfig(raw, "c.json");
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        message = (err as Error).message;
      }
      for (const p of parts) expect(message).toContain(p);
    });
  }

  test("a file that is not JSON names the file", () => {
    expect(() => parseConfigText("{ nope", "/etc/causeway.json")).toThrow(/\/etc\/causeway\.json: not valid JSON/);
  });

  test("CAUSEWAY_LISTEN_<NAME> overrides a listener's address; CAUSEWAY_LOG_LEVEL the level", () => {
    const env: Record<string, string> = { CAUSEWAY_LISTEN_WS: "127.0.0.1:0", CAUSEWAY_LISTEN_RAWSOCKET: ":9001", CAUSEWAY_LOG_LEVEL: "debug" };
    const cfg = applyEnv(defaultConfig(), (k) => env[k]);
    expect(cfg.listeners.map((l) => [l.host, l.port])).toEqual([["127.0.0.1", 0], ["0.0.0.0", 9001]]);
    expect(cfg.log.level).toBe("debug");
  });

  test("bad env overrides are refused naming the variable", () => {
    expect(() => applyEnv(defaultConfig(), (k) => (k === "CAUSEWAY_LISTEN_WS" ? "localhost" : undefined))).toThrow(/CAUSEWAY_LISTEN_WS/);
    expect(() => applyEnv(defaultConfig(), (k) => (k === "CAUSEWAY_LOG_LEVEL" ? "loud" : undefined))).toThrow(/CAUSEWAY_LOG_LEVEL/);
  });
});
