// The `bun:test` API on top of `Deno.test`, so the same test files run under `deno test`
// (deno.json maps the specifier "bun:test" to this file).
//
// Why not Deno's `node:test` (which does have describe/it)? It turns each top-level describe into
// one Deno test and every `it` into a step, so Deno's summary counts suites, not tests, and the
// numbers cannot be added to Bun's. Here every leaf test is its own `Deno.test` named
// "suite > nested > test"; describe bodies run at registration time (as in Bun), and hooks run
// lazily: a suite's beforeAll before its first test, its afterAll after its last one. Deno runs a
// file's tests one after another in registration order, in a worker per file, so this state is
// per file. Limitation: with `deno test --filter`, a suite whose last test is filtered out never
// runs its afterAll.
//
// Sanitizers are off: a router process or socket opened in beforeAll legitimately outlives one test.

import { expect } from "./_expect.ts";
import { mock, spyOn } from "./_mock.ts";

export { expect, mock, spyOn };
export type { Matchers } from "./_expect.ts";
export type { Mock } from "./_mock.ts";

interface DenoTestDefinition {
  name: string;
  fn: () => Promise<void>;
  ignore?: boolean;
  only?: boolean;
  sanitizeOps?: boolean;
  sanitizeResources?: boolean;
}
const denoTest = (globalThis as unknown as { Deno?: { test(def: DenoTestDefinition): void } }).Deno
  ?.test;

type Fn = () => unknown | Promise<unknown>;
type TestFn = Fn | ((done: (err?: unknown) => void) => void);
type TimeoutArg = number | { timeout?: number } | undefined;
interface Hook {
  fn: TestFn;
  timeout?: number;
}

interface Suite {
  name: string;
  parent?: Suite;
  skip: boolean;
  only: boolean;
  beforeAll: Hook[];
  afterAll: Hook[];
  beforeEach: Hook[];
  afterEach: Hook[];
  /** Tests of this suite and its descendants that will run; afterAll follows the last one. */
  pending: number;
  started?: Promise<void>;
}

const root: Suite = newSuite("", undefined, false, false);
let current = root;
let defaultTimeout = 20_000;

function newSuite(name: string, parent: Suite | undefined, skip: boolean, only: boolean): Suite {
  return { name, parent, skip, only, beforeAll: [], afterAll: [], beforeEach: [], afterEach: [], pending: 0 };
}

function chain(suite: Suite): Suite[] {
  const list: Suite[] = [];
  for (let s: Suite | undefined = suite; s; s = s.parent) list.unshift(s);
  return list;
}

function timeoutOf(arg: TimeoutArg): number | undefined {
  return typeof arg === "number" ? arg : arg?.timeout;
}

/** Runs a test or hook body (promise- or done-style) with a time limit. */
async function runBody(fn: TestFn, timeout: number | undefined, what: string): Promise<void> {
  const ms = timeout ?? defaultTimeout;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const body = fn.length > 0
    ? new Promise<void>((resolve, reject) => {
      (fn as (done: (err?: unknown) => void) => void)((err) => (err ? reject(err) : resolve()));
    })
    : Promise.resolve().then(fn as Fn);
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([body, limit]);
  } finally {
    clearTimeout(timer);
  }
}

async function runHooks(hooks: Hook[], what: string): Promise<void> {
  for (const hook of hooks) await runBody(hook.fn, hook.timeout, what);
}

async function runTest(suite: Suite, fn: TestFn, timeout: number | undefined, name: string): Promise<void> {
  const suites = chain(suite);
  let failure: unknown;
  try {
    for (const s of suites) {
      s.started ??= runHooks(s.beforeAll, `beforeAll of "${s.name || "file"}"`);
      await s.started; // a failed beforeAll fails every test of its suite
    }
    for (const s of suites) await runHooks(s.beforeEach, "beforeEach");
    try {
      await runBody(fn, timeout, `test "${name}"`);
    } finally {
      for (const s of [...suites].reverse()) await runHooks(s.afterEach, "afterEach");
    }
  } catch (error) {
    failure = error;
  }
  for (const s of [...suites].reverse()) {
    if (--s.pending > 0) continue;
    try {
      await runHooks(s.afterAll, `afterAll of "${s.name || "file"}"`);
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
}

function register(name: string, fn: TestFn | undefined, timeout: TimeoutArg, flags: { skip?: boolean; only?: boolean }) {
  if (!denoTest) throw new Error("test/_shim/bun_test.ts runs under Deno only; Bun has bun:test built in");
  const suite = current;
  const suites = chain(suite);
  const skip = !fn || !!flags.skip || suites.some((s) => s.skip);
  const only = !!flags.only || suites.some((s) => s.only);
  const fullName = [...suites.map((s) => s.name).filter((n) => n !== ""), name].join(" > ");
  if (!skip) for (const s of suites) s.pending++;
  denoTest({
    name: fullName,
    ignore: skip,
    only,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => runTest(suite, fn ?? (() => {}), timeoutOf(timeout), fullName),
  });
}

/** Bun's name templating for `.each`: %s %d %i %f %p %j %o %#, and $key for object rows. */
function eachName(name: string, row: unknown, index: number): string {
  const args = Array.isArray(row) ? [...row] : [row];
  let out = name.replace(/%[sdifpjo#%]/g, (token) => {
    if (token === "%%") return "%";
    if (token === "%#") return String(index);
    const value = args.shift();
    return token === "%s" || token === "%d" || token === "%i" || token === "%f" ? String(value) : JSON.stringify(value);
  });
  if (row && typeof row === "object" && !Array.isArray(row)) {
    out = out.replace(/\$([\w.]+)/g, (m, key: string) => (key in row ? String((row as Record<string, unknown>)[key]) : m));
  }
  return out;
}

type TestLike = (name: string, fn?: TestFn, timeout?: TimeoutArg) => void;
/** `test.each(table)(name, fn)`: tuple rows are spread into fn's parameters, other rows passed whole. */
interface Each<R> {
  <T extends readonly unknown[]>(table: readonly T[]): (name: string, fn: (...args: [...T]) => unknown, timeout?: TimeoutArg) => R;
  <T>(table: readonly T[]): (name: string, fn: (arg: T) => unknown, timeout?: TimeoutArg) => R;
}
function each(base: (name: string, fn: () => unknown, timeout?: TimeoutArg) => void): Each<void> {
  return ((table: readonly unknown[]) => (name: string, fn: (...args: unknown[]) => unknown, timeout?: TimeoutArg) =>
    table.forEach((row, i) => {
      const args = Array.isArray(row) ? row : [row];
      base(eachName(name, row, i), () => fn(...args), timeout);
    })) as Each<void>;
}

function makeTest() {
  const t = ((name: string, fn?: TestFn, timeout?: TimeoutArg) => register(name, fn, timeout, {})) as TestLike & {
    skip: TestLike;
    only: TestLike;
    todo: TestLike;
    if: (cond: unknown) => TestLike;
    skipIf: (cond: unknown) => TestLike;
    each: Each<void>;
  };
  t.skip = (name, fn, timeout) => register(name, fn, timeout, { skip: true });
  t.only = (name, fn, timeout) => register(name, fn, timeout, { only: true });
  t.todo = (name) => register(name, undefined, undefined, { skip: true });
  t.if = (cond) => (name, fn, timeout) => register(name, fn, timeout, { skip: !cond });
  t.skipIf = (cond) => (name, fn, timeout) => register(name, fn, timeout, { skip: !!cond });
  t.each = each((name, fn, timeout) => register(name, fn, timeout, {}));
  return t;
}

export const test = makeTest();
export const it = test;

type DescribeLike = (name: string, body: () => void) => void;
function defineSuite(name: string, body: () => void, flags: { skip?: boolean; only?: boolean }) {
  const parent = current;
  const suite = newSuite(name, parent, !!flags.skip, !!flags.only);
  current = suite;
  try {
    const out = body() as unknown;
    if (out instanceof Promise) throw new Error(`describe("${name}") body must be synchronous`);
  } finally {
    current = parent;
  }
}

function makeDescribe() {
  const d = ((name: string, body: () => void) => defineSuite(name, body, {})) as DescribeLike & {
    skip: DescribeLike;
    only: DescribeLike;
    todo: DescribeLike;
    if: (cond: unknown) => DescribeLike;
    skipIf: (cond: unknown) => DescribeLike;
    each: Each<void>;
  };
  d.skip = (name, body) => defineSuite(name, body, { skip: true });
  d.only = (name, body) => defineSuite(name, body, { only: true });
  d.todo = (name, body) => defineSuite(name, body ?? (() => {}), { skip: true });
  d.if = (cond) => (name, body) => defineSuite(name, body, { skip: !cond });
  d.skipIf = (cond) => (name, body) => defineSuite(name, body, { skip: !!cond });
  d.each = ((table: readonly unknown[]) => (name: string, body: (...args: unknown[]) => void) =>
    table.forEach((row, i) => {
      const args = Array.isArray(row) ? row : [row];
      defineSuite(eachName(name, row, i), () => body(...args), {});
    })) as Each<void>;
  return d;
}

export const describe = makeDescribe();

export function beforeAll(fn: TestFn, timeout?: TimeoutArg): void {
  current.beforeAll.push({ fn, timeout: timeoutOf(timeout) });
}
export function afterAll(fn: TestFn, timeout?: TimeoutArg): void {
  current.afterAll.push({ fn, timeout: timeoutOf(timeout) });
}
export function beforeEach(fn: TestFn, timeout?: TimeoutArg): void {
  current.beforeEach.push({ fn, timeout: timeoutOf(timeout) });
}
export function afterEach(fn: TestFn, timeout?: TimeoutArg): void {
  current.afterEach.push({ fn, timeout: timeoutOf(timeout) });
}

export function setDefaultTimeout(ms: number): void {
  defaultTimeout = ms;
}
