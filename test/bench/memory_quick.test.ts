// Smoke test of the idle-session memory benchmark (bench/memory): a few hundred sessions so the
// scripts cannot rot. It asserts that sessions were established and that figures came out —
// never how large they are.
import { describe, expect, test } from "bun:test";
import { runIdleSessions } from "../../bench/memory/idle_sessions.ts";
import { peakRssDuring, sampleRss } from "../../bench/memory/rss.ts";
import { sessionParts } from "../../bench/memory/session_parts.ts";

const quiet = () => {};

describe("bench/memory", () => {
  test("200 idle sessions join over RawSocket and WebSocket (router and bare floor) and in-memory peers, and bytes per session come out", async () => {
    const rows = await runIdleSessions({ counts: [200], settleMs: 50, log: quiet });
    expect(rows.map((r) => `${r.server} ${r.mode}`)).toEqual([
      "causeway rawsocket", "bare rawsocket", "causeway websocket", "bare websocket", "causeway in-memory",
    ]);
    for (const r of rows) {
      expect(r.skipped).toBeUndefined();
      expect(r.established).toBe(200);
      // The router's own count: /metrics for the router process, sessionCount in memory.
      expect(r.routerSessions).toBe(200);
      expect(r.heapAfter).toBeGreaterThan(r.heapBefore);
      expect(Number.isFinite(r.rssPerSession)).toBe(true);
      expect(Object.keys(r.objectsPerSession ?? {}).length).toBeGreaterThan(0);
    }
  }, 60_000);

  test("counts over the socket maximum are reported as not measured, naming the fd limit", async () => {
    const rows = await runIdleSessions({ counts: [300], socketMax: 100, log: quiet });
    expect(rows[0].skipped).toContain("20000 fds");
    expect(rows[1].mode).toBe("in-memory");
    expect(rows[1].established).toBe(300);
  });

  test("the per-layer breakdown builds every layer and reports a size for each", async () => {
    const rows = await sessionParts(3000);
    expect(rows.length).toBe(6);
    for (const r of rows) expect({ part: r.part, positive: r.bytes > 0 }).toEqual({ part: r.part, positive: true });
  });

  test("peakRssDuring sees memory a process touched meanwhile", async () => {
    const size = 64 * 1024 * 1024;
    const r = await peakRssDuring(process.pid, async () => {
      const block = new Uint8Array(size).fill(1);
      await new Promise((resolve) => setTimeout(resolve, 250));
      return block[size - 1];
    }, 20);
    expect(r.value).toBe(1);
    expect(r.peakBytes).toBeGreaterThanOrEqual(r.beforeBytes + size / 2);
    expect(sampleRss(process.pid)).toBeGreaterThan(0);
  });

  test("sampleRss names the pid it cannot read", () => {
    expect(() => sampleRss(2 ** 22 + 7)).toThrow(`/proc/${2 ** 22 + 7}/status`);
  });
});
