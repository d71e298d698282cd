import { describe, expect, test } from "bun:test";
import { createLogger, formatPretty, resolveFormat } from "../../src/util/log.ts";

describe("log formats", () => {
  test("json is the default: one JSON object per line", () => {
    const lines: string[] = [];
    createLogger({ write: (l) => lines.push(l) }).info("session joined", { realm: "realm1", session: 7 });
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ level: "info", msg: "session joined", realm: "realm1", session: 7 });
  });

  test("pretty: time, level, message, key=value (strings with spaces quoted)", () => {
    const line = formatPretty(new Date("2026-01-02T03:04:05.678Z"), "warn", "closed slow consumer", {
      remote: "127.0.0.1", why: "too slow now", n: 3, gone: undefined,
    });
    expect(line).toBe('03:04:05.678 WARN  closed slow consumer remote=127.0.0.1 why="too slow now" n=3');
    const lines: string[] = [];
    createLogger({ write: (l) => lines.push(l), format: "pretty" }).child({ listener: "ws" }).info("listening", { port: 8080 });
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  listening listener=ws port=8080$/);
  });

  test("auto is pretty on a terminal, JSON otherwise", () => {
    expect(resolveFormat("auto", () => true)).toBe("pretty");
    expect(resolveFormat("auto", () => false)).toBe("json");
    expect(resolveFormat("json", () => true)).toBe("json");
    expect(resolveFormat(undefined, () => true)).toBe("json");
  });
});
