// `mock()` and `spyOn()` of the bun:test shim: a recording function with `.mock.calls`/`.results`.

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;

export interface MockState {
  calls: unknown[][];
  results: Array<{ type: "return" | "throw"; value: unknown }>;
}

export type Mock<T extends AnyFn = AnyFn> = T & {
  mock: MockState;
  mockImplementation(fn: T): Mock<T>;
  mockReturnValue(value: ReturnType<T>): Mock<T>;
  mockClear(): Mock<T>;
  mockRestore(): void;
};

const MOCK = Symbol("bun_test_shim.mock");

export function isMock(value: unknown): value is Mock {
  return typeof value === "function" && (value as unknown as Record<symbol, unknown>)[MOCK] === true;
}

export function mock<T extends AnyFn>(implementation?: T, restore: () => void = () => {}): Mock<T> {
  let impl: AnyFn | undefined = implementation;
  const state: MockState = { calls: [], results: [] };
  const fn = function (this: unknown, ...args: unknown[]) {
    state.calls.push(args);
    try {
      const value = impl?.apply(this, args);
      state.results.push({ type: "return", value });
      return value;
    } catch (error) {
      state.results.push({ type: "throw", value: error });
      throw error;
    }
  } as unknown as Mock<T>;
  Object.assign(fn, {
    [MOCK]: true,
    mock: state,
    mockImplementation(next: T) {
      impl = next;
      return fn;
    },
    mockReturnValue(value: unknown) {
      impl = () => value;
      return fn;
    },
    mockClear() {
      state.calls.length = 0;
      state.results.length = 0;
      return fn;
    },
    mockRestore: restore,
  });
  return fn;
}

export function spyOn<O extends object, K extends keyof O>(object: O, key: K): Mock {
  const original = object[key] as unknown as AnyFn;
  const spy = mock(original, () => {
    object[key] = original as O[K];
  });
  object[key] = spy as unknown as O[K];
  return spy;
}
