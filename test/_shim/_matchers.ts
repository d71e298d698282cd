// The matcher table of the bun:test shim's `expect`. Each matcher returns whether it passed and a
// message describing the expectation; `_expect.ts` applies `.not`, `.resolves` and `.rejects`.

import { equals } from "./_equals.ts";
import { format } from "./_format.ts";
import { isMock } from "./_mock.ts";

export interface MatchResult {
  pass: boolean;
  /** Describes the positive expectation; `_expect.ts` words it for `.not`. */
  message: string;
}

export interface MatcherContext {
  /** True under `.rejects`: the actual value is the rejection reason, not a function to call. */
  rejected: boolean;
}

type Matcher = (ctx: MatcherContext, actual: unknown, ...expected: unknown[]) => MatchResult;

const result = (pass: boolean, message: string): MatchResult => ({ pass, message });
function describeValue(actual: unknown, what: string, ...expected: unknown[]): string {
  return `expected ${format(actual)} ${what}${expected.length > 0 ? ` ${format(expected[0])}` : ""}`;
}

function compare(op: string, test: (a: number | bigint, b: number | bigint) => boolean): Matcher {
  return (_ctx, actual, expected) => {
    const ok = (typeof actual === "number" || typeof actual === "bigint") &&
      (typeof expected === "number" || typeof expected === "bigint") && test(actual, expected);
    return result(ok, `expected ${format(actual)} ${op} ${format(expected)}`);
  };
}

function thrownBy(ctx: MatcherContext, actual: unknown): { threw: boolean; error?: unknown } {
  if (ctx.rejected) return { threw: true, error: actual };
  if (typeof actual !== "function") throw new TypeError("toThrow() expects a function");
  try {
    (actual as () => unknown)();
    return { threw: false };
  } catch (error) {
    return { threw: true, error };
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}

const toThrow: Matcher = (ctx, actual, expected) => {
  const { threw, error } = thrownBy(ctx, actual);
  const got = threw ? `it threw ${format(error)}` : "it did not throw";
  if (!threw || expected === undefined) return result(threw, `expected a throw, ${got}`);
  if (typeof expected === "string") {
    return result(errorMessage(error).includes(expected), `expected a throw containing ${format(expected)}, ${got}`);
  }
  if (expected instanceof RegExp) {
    return result(expected.test(errorMessage(error)), `expected a throw matching ${expected}, ${got}`);
  }
  if (typeof expected === "function") {
    return result(error instanceof (expected as new () => unknown), `expected a throw of ${expected.name}, ${got}`);
  }
  if (expected instanceof Error || (typeof expected === "object" && expected !== null)) {
    const want = errorMessage(expected);
    return result(errorMessage(error) === want, `expected a throw with message ${format(want)}, ${got}`);
  }
  throw new TypeError(`toThrow(): unsupported expectation ${format(expected)}`);
};

function parsePath(path: unknown): PropertyKey[] {
  if (Array.isArray(path)) return path as PropertyKey[];
  return String(path).replace(/\[(\w+)\]/g, ".$1").split(".").filter((p) => p !== "");
}

const toHaveProperty: Matcher = (_ctx, actual, ...rest) => {
  const [path, value] = rest;
  let cur: unknown = actual;
  for (const key of parsePath(path)) {
    if (cur === null || cur === undefined || !(Object(cur) instanceof Object) || !(key in Object(cur))) {
      return result(false, `expected ${format(actual)} to have property ${format(path)}`);
    }
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  if (rest.length < 2) return result(true, `expected ${format(actual)} to have property ${format(path)}`);
  return result(
    equals(cur, value, { strict: false }),
    `expected property ${format(path)} of ${format(actual)} to equal ${format(value)}, got ${format(cur)}`,
  );
};

function contains(actual: unknown, item: unknown, deep: boolean): boolean {
  if (typeof actual === "string") return typeof item === "string" && actual.includes(item);
  if (actual === null || actual === undefined || typeof (actual as Iterable<unknown>)[Symbol.iterator] !== "function") {
    return false;
  }
  for (const x of actual as Iterable<unknown>) {
    if (deep ? equals(x, item, { strict: false }) : Object.is(x, item)) return true;
  }
  return false;
}

function mockCalls(actual: unknown): unknown[][] {
  if (!isMock(actual)) throw new TypeError(`expected a mock function, got ${format(actual)}`);
  return actual.mock.calls;
}

export const matchers: Record<string, Matcher> = {
  toBe: (_c, a, e) => result(Object.is(a, e), describeValue(a, "to be", e)),
  toEqual: (_c, a, e) => result(equals(a, e, { strict: false }), describeValue(a, "to equal", e)),
  toStrictEqual: (_c, a, e) => result(equals(a, e, { strict: true }), describeValue(a, "to strictly equal", e)),
  toMatchObject: (_c, a, e) =>
    result(
      typeof a === "object" && a !== null && equals(a, e, { strict: false, subset: true }),
      describeValue(a, "to match object", e),
    ),
  toBeTruthy: (_c, a) => result(!!a, describeValue(a, "to be truthy")),
  toBeFalsy: (_c, a) => result(!a, describeValue(a, "to be falsy")),
  toBeDefined: (_c, a) => result(a !== undefined, describeValue(a, "to be defined")),
  toBeUndefined: (_c, a) => result(a === undefined, describeValue(a, "to be undefined")),
  toBeNull: (_c, a) => result(a === null, describeValue(a, "to be null")),
  toBeNaN: (_c, a) => result(typeof a === "number" && Number.isNaN(a), describeValue(a, "to be NaN")),
  toBeTypeOf: (_c, a, e) => result(typeof a === e, describeValue(a, "to be of type", e)),
  toBeInstanceOf: (_c, a, e) =>
    result(a instanceof (e as new () => unknown), `expected ${format(a)} to be an instance of ${(e as { name?: string }).name}`),
  toContain: (_c, a, e) => result(contains(a, e, false), describeValue(a, "to contain", e)),
  toContainEqual: (_c, a, e) => result(contains(a, e, true), describeValue(a, "to contain an item equal to", e)),
  toHaveLength: (_c, a, e) => {
    const length = (a as { length?: unknown } | null | undefined)?.length;
    return result(length === e, `expected ${format(a)} to have length ${e}, got ${format(length)}`);
  },
  toMatch: (_c, a, e) =>
    result(
      typeof a === "string" && (e instanceof RegExp ? e.test(a) : a.includes(String(e))),
      describeValue(a, "to match", e),
    ),
  toThrow,
  toThrowError: toThrow,
  toHaveProperty,
  toBeGreaterThan: compare(">", (a, b) => a > b),
  toBeGreaterThanOrEqual: compare(">=", (a, b) => a >= b),
  toBeLessThan: compare("<", (a, b) => a < b),
  toBeLessThanOrEqual: compare("<=", (a, b) => a <= b),
  toBeCloseTo: (_c, a, e, digits = 2) =>
    result(
      typeof a === "number" && Math.abs(a - (e as number)) < 10 ** -(digits as number) / 2,
      describeValue(a, "to be close to", e),
    ),
  toHaveBeenCalled: (_c, a) => result(mockCalls(a).length > 0, "expected the mock to have been called"),
  toHaveBeenCalledTimes: (_c, a, e) => {
    const n = mockCalls(a).length;
    return result(n === e, `expected the mock to have been called ${e} times, it was called ${n} times`);
  },
  toHaveBeenCalledWith: (_c, a, ...args) =>
    result(
      mockCalls(a).some((call) => equals(call, args, { strict: false })),
      `expected the mock to have been called with ${format(args)}, calls: ${format(mockCalls(a))}`,
    ),
  toHaveBeenLastCalledWith: (_c, a, ...args) => {
    const calls = mockCalls(a);
    return result(
      calls.length > 0 && equals(calls[calls.length - 1], args, { strict: false }),
      `expected the last call to be ${format(args)}, calls: ${format(calls)}`,
    );
  },
};
