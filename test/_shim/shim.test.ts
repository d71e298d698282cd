// Exercises test/_shim/bun_test.ts. Under Bun, "bun:test" is Bun's own runner, so every matcher
// case below runs against both Bun's expect and the shim's: the cases pin the shim to Bun's
// behaviour. Under Deno, "bun:test" IS the shim, and the hook-order tests check its runner.
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, mock, test } from "bun:test";
import { expect as shimExpect } from "./_expect.ts";

type AnyExpect = typeof shimExpect;
type Case = [name: string, run: (e: AnyExpect) => unknown, outcome: "pass" | "fail"];

class Custom extends Error {}
const thrower = () => {
  throw new Custom("bad thing happened");
};

const cases: Case[] = [
  ["toBe on identical primitives", (e) => e(3).toBe(3), "pass"],
  ["toBe on equal objects", (e) => e({ a: 1 }).toBe({ a: 1 }), "fail"],
  ["toBe NaN", (e) => e(NaN).toBe(NaN), "pass"],
  ["toEqual nested", (e) => e({ a: [1, { b: 2 }] }).toEqual({ a: [1, { b: 2 }] }), "pass"],
  ["toEqual ignores undefined props", (e) => e({ a: 1, b: undefined }).toEqual({ a: 1 }), "pass"],
  ["toEqual differs", (e) => e({ a: [1, 2] }).toEqual({ a: [1, 3] }), "fail"],
  ["toEqual Uint8Array", (e) => e(new Uint8Array([1, 2, 3])).toEqual(new Uint8Array([1, 2, 3])), "pass"],
  ["toEqual Uint8Array differs", (e) => e(new Uint8Array([1, 2])).toEqual(new Uint8Array([1, 3])), "fail"],
  ["toEqual Map", (e) => e(new Map([["k", { v: 1 }]])).toEqual(new Map([["k", { v: 1 }]])), "pass"],
  ["toEqual Set", (e) => e(new Set([1, 2])).toEqual(new Set([2, 1])), "pass"],
  ["toEqual array vs object", (e) => e([1]).toEqual({ 0: 1 }), "fail"],
  ["toEqual with expect.any", (e) => e({ id: 7, s: "x" }).toEqual({ id: e.any(Number), s: e.any(String) }), "pass"],
  ["toStrictEqual rejects undefined props", (e) => e({ a: 1, b: undefined }).toStrictEqual({ a: 1 }), "fail"],
  ["toStrictEqual rejects class vs literal", (e) => e(new Custom("x")).toStrictEqual({}), "fail"],
  ["toStrictEqual equal", (e) => e({ a: [1] }).toStrictEqual({ a: [1] }), "pass"],
  ["toBeTruthy", (e) => e(1).toBeTruthy(), "pass"],
  ["toBeTruthy on 0", (e) => e(0).toBeTruthy(), "fail"],
  ["toBeFalsy", (e) => e("").toBeFalsy(), "pass"],
  ["toBeDefined", (e) => e(null).toBeDefined(), "pass"],
  ["toBeUndefined", (e) => e(undefined).toBeUndefined(), "pass"],
  ["toBeNull", (e) => e(undefined).toBeNull(), "fail"],
  ["toContain string", (e) => e("hello world").toContain("lo w"), "pass"],
  ["toContain array", (e) => e([1, 2, 3]).toContain(2), "pass"],
  ["toContain array by identity", (e) => e([{ a: 1 }]).toContain({ a: 1 }), "fail"],
  ["toContainEqual array", (e) => e([{ a: 1 }]).toContainEqual({ a: 1 }), "pass"],
  ["toHaveLength", (e) => e([1, 2]).toHaveLength(2), "pass"],
  ["toHaveLength wrong", (e) => e("abc").toHaveLength(2), "fail"],
  ["toMatch regex", (e) => e("wamp.error.no_such_procedure").toMatch(/no_such/), "pass"],
  ["toMatch string", (e) => e("abc").toMatch("d"), "fail"],
  ["toThrow any", (e) => e(thrower).toThrow(), "pass"],
  ["toThrow string", (e) => e(thrower).toThrow("thing"), "pass"],
  ["toThrow regex", (e) => e(thrower).toThrow(/^bad/), "pass"],
  ["toThrow class", (e) => e(thrower).toThrow(Custom), "pass"],
  ["toThrow wrong class", (e) => e(thrower).toThrow(TypeError), "fail"],
  ["toThrow when nothing throws", (e) => e(() => 1).toThrow(), "fail"],
  ["not.toThrow", (e) => e(() => 1).not.toThrow(), "pass"],
  ["toBeGreaterThan", (e) => e(3).toBeGreaterThan(2), "pass"],
  ["toBeGreaterThanOrEqual", (e) => e(2).toBeGreaterThanOrEqual(2), "pass"],
  ["toBeLessThan", (e) => e(2).toBeLessThan(2), "fail"],
  ["toBeLessThanOrEqual", (e) => e(2n).toBeLessThanOrEqual(2n), "pass"],
  ["toBeInstanceOf", (e) => e(new Custom("x")).toBeInstanceOf(Error), "pass"],
  ["toBeInstanceOf wrong", (e) => e({}).toBeInstanceOf(Custom), "fail"],
  ["toHaveProperty path", (e) => e({ a: { b: [0, { c: 5 }] } }).toHaveProperty("a.b[1].c", 5), "pass"],
  ["toHaveProperty array path", (e) => e({ a: { b: 1 } }).toHaveProperty(["a", "b"]), "pass"],
  ["toHaveProperty missing", (e) => e({ a: 1 }).toHaveProperty("b"), "fail"],
  ["toHaveProperty wrong value", (e) => e({ a: 1 }).toHaveProperty("a", 2), "fail"],
  ["toMatchObject subset", (e) => e({ a: 1, b: { c: 2, d: 3 } }).toMatchObject({ b: { c: 2 } }), "pass"],
  ["toMatchObject mismatch", (e) => e({ a: 1 }).toMatchObject({ a: 2 }), "fail"],
  ["toMatchObject arrays need equal length", (e) => e({ a: [1, 2] }).toMatchObject({ a: [1] }), "fail"],
  ["not.toBe", (e) => e(1).not.toBe(2), "pass"],
  ["not.toEqual fails when equal", (e) => e([1]).not.toEqual([1]), "fail"],
  ["resolves.toBe", (e) => e(Promise.resolve(5)).resolves.toBe(5), "pass"],
  ["resolves on a rejection", (e) => e(Promise.reject(new Error("x"))).resolves.toBe(5), "fail"],
  ["rejects.toThrow", (e) => e(Promise.reject(new Custom("nope"))).rejects.toThrow("nope"), "pass"],
  ["rejects.toThrow class", (e) => e(Promise.reject(new Custom("nope"))).rejects.toThrow(Custom), "pass"],
  ["rejects on a resolution", (e) => e(Promise.resolve(1)).rejects.toThrow(), "fail"],
  ["rejects.toEqual", (e) => e(Promise.reject({ uri: "a.b" })).rejects.toEqual({ uri: "a.b" }), "pass"],
  ["resolves.not.toBe", (e) => e(Promise.resolve(1)).resolves.not.toBe(2), "pass"],
];

async function outcome(run: () => unknown): Promise<"pass" | "fail"> {
  try {
    await run();
    return "pass";
  } catch {
    return "fail";
  }
}

const implementations: Array<[string, AnyExpect]> = expect === (shimExpect as unknown)
  ? [["shim", shimExpect]]
  : [["bun", expect as unknown as AnyExpect], ["shim", shimExpect]];

describe("expect matchers", () => {
  for (const [impl, e] of implementations) {
    test.each(cases)(`${impl}: %s`, async (_name, run, want) => {
      expect(await outcome(() => run(e))).toBe(want);
    });
  }
});

describe("test runner hooks", () => {
  const order: string[] = [];
  beforeAll(() => {
    order.push("beforeAll");
  });
  beforeEach(() => {
    order.push("beforeEach");
  });
  afterEach(() => {
    order.push("afterEach");
  });
  afterAll(() => {
    // Runs after the last test of this suite; a throw here fails that test in both runtimes.
    // beforeEach/afterEach of a suite also wrap the tests of its nested suites.
    expect(order).toEqual([
      "beforeAll", "beforeEach", "one", "afterEach", "beforeEach", "two", "afterEach", "beforeEach", "afterEach",
    ]);
  });

  test("runs beforeAll once and beforeEach before the first test", () => {
    order.push("one");
    expect(order).toEqual(["beforeAll", "beforeEach", "one"]);
  });

  test("awaits async tests", async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    order.push("two");
  });

  describe("nested suite", () => {
    let inner = 0;
    beforeAll(async () => {
      await Promise.resolve();
      inner = 42;
    });
    test("sees its own beforeAll", () => {
      expect(inner).toBe(42);
    });
  });
});

describe("mocks", () => {
  test("record calls", () => {
    const fn = mock((a: number, b: number) => a + b);
    expect(fn(2, 3)).toBe(5);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn).toHaveBeenCalledWith(2, 3);
    expect(fn.mock.calls).toEqual([[2, 3]]);
  });
});

test("done-callback style tests finish when done is called", (done) => {
  setTimeout(() => done(), 1);
});

test.skip("skipped tests do not run", () => {
  throw new Error("must not run");
});
