import { describe, expect, test } from "bun:test";
import { createBackoff } from "../../edge/backoff.ts";

/** A random() that always returns `r`. */
const fixed = (r: number) => () => r;

describe("uplink backoff", () => {
  test("doubles from minMs up to maxMs (equal jitter at its midpoint gives the base delay)", () => {
    const b = createBackoff({ minMs: 500, maxMs: 4000, random: fixed(0.5) });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
    expect(b.attempts).toBe(6);
  });

  test("equal jitter spreads each delay over ±50% of the base, never above maxMs", () => {
    const low = createBackoff({ minMs: 1000, maxMs: 10_000, random: fixed(0) });
    const high = createBackoff({ minMs: 1000, maxMs: 10_000, random: fixed(0.999999) });
    expect([low.next(), low.next(), low.next()]).toEqual([500, 1000, 2000]);
    expect([high.next(), high.next(), high.next()]).toEqual([1500, 3000, 6000]);
    for (let i = 0; i < 5; i++) expect(high.next()).toBeLessThanOrEqual(10_000);
  });

  test("full jitter picks from 0 to the base delay", () => {
    const b = createBackoff({ minMs: 1000, maxMs: 8000, jitter: "full", random: fixed(0.25) });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([250, 500, 1000, 2000, 2000]);
  });

  test("reset starts over from minMs", () => {
    const b = createBackoff({ minMs: 100, maxMs: 10_000, random: fixed(0.5) });
    b.next();
    b.next();
    b.next();
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(100);
  });

  test("atMax waits the maximum (jittered) and keeps the sequence there", () => {
    const b = createBackoff({ minMs: 100, maxMs: 30_000, random: fixed(0.5) });
    expect(b.atMax()).toBe(30_000);
    expect(b.next()).toBe(30_000);
    const low = createBackoff({ minMs: 100, maxMs: 30_000, random: fixed(0) });
    expect(low.atMax()).toBe(15_000);
  });

  test("a custom multiplier and a long outage stay finite", () => {
    const b = createBackoff({ minMs: 10, maxMs: 1000, multiplier: 3, random: fixed(0.5) });
    expect([b.next(), b.next(), b.next()]).toEqual([10, 30, 90]);
    for (let i = 0; i < 5000; i++) b.next();
    expect(b.next()).toBe(1000);
  });

  test("real randomness stays inside the bounds", () => {
    const b = createBackoff({ minMs: 200, maxMs: 5000 });
    for (let i = 0; i < 200; i++) {
      const d = b.next();
      expect(d).toBeGreaterThanOrEqual(100);
      expect(d).toBeLessThanOrEqual(5000);
    }
  });
});
