// `expect` of the bun:test shim: the matcher table of `_matchers.ts` plus `.not`, `.resolves`,
// `.rejects` and a few asymmetric matchers (`expect.any`, `expect.anything`, …).

import { type AsymmetricMatcher, equals } from "./_equals.ts";
import { format } from "./_format.ts";
import { type MatcherContext, matchers } from "./_matchers.ts";

export class AssertionError extends Error {
  override name = "AssertionError";
}

export interface Matchers<R = void> {
  not: Matchers<R>;
  resolves: Matchers<Promise<void>>;
  rejects: Matchers<Promise<void>>;
  toBe(expected: unknown): R;
  toEqual(expected: unknown): R;
  toStrictEqual(expected: unknown): R;
  toMatchObject(expected: unknown): R;
  toBeTruthy(): R;
  toBeFalsy(): R;
  toBeDefined(): R;
  toBeUndefined(): R;
  toBeNull(): R;
  toBeNaN(): R;
  toBeTypeOf(type: string): R;
  // deno-lint-ignore no-explicit-any
  toBeInstanceOf(cls: abstract new (...args: any[]) => unknown): R;
  toContain(item: unknown): R;
  toContainEqual(item: unknown): R;
  toHaveLength(length: number): R;
  toMatch(pattern: string | RegExp): R;
  toThrow(expected?: unknown): R;
  toThrowError(expected?: unknown): R;
  toHaveProperty(path: string | PropertyKey[], value?: unknown): R;
  toBeGreaterThan(n: number | bigint): R;
  toBeGreaterThanOrEqual(n: number | bigint): R;
  toBeLessThan(n: number | bigint): R;
  toBeLessThanOrEqual(n: number | bigint): R;
  toBeCloseTo(n: number, digits?: number): R;
  toHaveBeenCalled(): R;
  toHaveBeenCalledTimes(n: number): R;
  toHaveBeenCalledWith(...args: unknown[]): R;
  toHaveBeenLastCalledWith(...args: unknown[]): R;
}

type Mode = "sync" | "resolves" | "rejects";

function check(name: string, ctx: MatcherContext, actual: unknown, negated: boolean, args: unknown[]): void {
  const matcher = matchers[name];
  const { pass, message } = matcher(ctx, actual, ...args);
  if (pass === negated) {
    throw new AssertionError(negated ? `${message} (negated: .not.${name})` : message);
  }
}

function build(actual: unknown, negated: boolean, mode: Mode): Matchers<unknown> {
  const target: Record<string, unknown> = {};
  for (const name of Object.keys(matchers)) {
    target[name] = (...args: unknown[]) => {
      if (mode === "sync") return check(name, { rejected: false }, actual, negated, args);
      return settle(actual, mode).then((value) => check(name, { rejected: mode === "rejects" }, value, negated, args));
    };
  }
  Object.defineProperties(target, {
    not: { get: () => build(actual, !negated, mode) },
    resolves: { get: () => build(actual, negated, "resolves") },
    rejects: { get: () => build(actual, negated, "rejects") },
  });
  return target as unknown as Matchers<unknown>;
}

async function settle(actual: unknown, mode: "resolves" | "rejects"): Promise<unknown> {
  const promise = typeof actual === "function" ? (actual as () => unknown)() : actual;
  let value: unknown;
  try {
    value = await promise;
  } catch (error) {
    if (mode === "rejects") return error;
    throw new AssertionError(`expected the promise to resolve, it rejected with ${format(error)}`);
  }
  if (mode === "resolves") return value;
  throw new AssertionError(`expected the promise to reject, it resolved with ${format(value)}`);
}

function asymmetric(description: string, match: (actual: unknown) => boolean): AsymmetricMatcher {
  return { asymmetricMatch: match, toString: () => description };
}

interface Expect {
  <T = unknown>(actual: T, message?: string): Matchers<void>;
  // deno-lint-ignore no-explicit-any
  any(cls: new (...args: any[]) => unknown): AsymmetricMatcher;
  anything(): AsymmetricMatcher;
  stringContaining(s: string): AsymmetricMatcher;
  stringMatching(re: string | RegExp): AsymmetricMatcher;
  objectContaining(obj: object): AsymmetricMatcher;
  arrayContaining(items: unknown[]): AsymmetricMatcher;
  unreachable(message?: string): never;
}

const primitiveOf = new Map<unknown, string>([
  [Number, "number"],
  [String, "string"],
  [Boolean, "boolean"],
  [BigInt, "bigint"],
  [Symbol, "symbol"],
  [Function, "function"],
]);

export const expect: Expect = Object.assign(
  (actual: unknown) => build(actual, false, "sync") as Matchers<void>,
  {
    // deno-lint-ignore no-explicit-any
    any: (cls: new (...args: any[]) => unknown) =>
      asymmetric(`Any<${cls.name}>`, (a) => typeof a === primitiveOf.get(cls) || a instanceof cls),
    anything: () => asymmetric("Anything", (a) => a !== null && a !== undefined),
    stringContaining: (s: string) =>
      asymmetric(`StringContaining ${s}`, (a) => typeof a === "string" && a.includes(s)),
    stringMatching: (re: string | RegExp) =>
      asymmetric(`StringMatching ${re}`, (a) => typeof a === "string" && new RegExp(re).test(a)),
    objectContaining: (obj: object) =>
      asymmetric(`ObjectContaining ${format(obj)}`, (a) => equals(a, obj, { strict: false, subset: true })),
    arrayContaining: (items: unknown[]) =>
      asymmetric(
        `ArrayContaining ${format(items)}`,
        (a) => Array.isArray(a) && items.every((i) => a.some((x) => equals(x, i, { strict: false }))),
      ),
    unreachable: (message?: string): never => {
      throw new AssertionError(message ?? "reached code marked unreachable");
    },
  },
);
