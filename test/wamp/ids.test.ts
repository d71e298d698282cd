import { describe, expect, test } from "bun:test";
import { createIdSequence, globalId, MAX_ID } from "../../src/wamp/ids.ts";

describe("globalId", () => {
  test("draws integers in [1, 2^53] spread over the whole range", () => {
    let above32Bits = 0;
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const id = globalId();
      expect(Number.isInteger(id)).toBe(true);
      expect(id).toBeGreaterThanOrEqual(1);
      expect(id).toBeLessThanOrEqual(MAX_ID);
      if (id > 2 ** 32) above32Bits++;
      seen.add(id);
    }
    // Uniform over 2^53: practically all above 2^32, practically no repeats.
    expect(above32Bits).toBeGreaterThan(9_990);
    expect(seen.size).toBe(10_000);
  });
});

describe("createIdSequence", () => {
  test("counts up from 1", () => {
    const next = createIdSequence();
    expect([next(), next(), next()]).toEqual([1, 2, 3]);
  });

  test("wraps to 1 after 2^53", () => {
    const next = createIdSequence({ start: MAX_ID - 1 });
    expect([next(), next(), next(), next()]).toEqual([MAX_ID - 1, MAX_ID, 1, 2]);
  });

  test("sequences are independent", () => {
    const a = createIdSequence();
    const b = createIdSequence();
    a();
    a();
    expect(b()).toBe(1);
  });

  test("rejects a start outside [1, 2^53]", () => {
    expect(() => createIdSequence({ start: 0 })).toThrow(RangeError);
    expect(() => createIdSequence({ start: MAX_ID + 2 })).toThrow(RangeError);
    expect(() => createIdSequence({ start: 1.5 })).toThrow(RangeError);
  });
});
