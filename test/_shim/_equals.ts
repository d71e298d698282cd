// Deep equality for the bun:test shim's `expect` (runs the same test files under `deno test`).
// Follows Bun/Jest semantics: `toEqual` ignores properties whose value is undefined and does not
// compare prototypes; `toStrictEqual` does both. Numbers compare with Object.is (NaN equals NaN,
// 0 differs from -0), as in Bun.

/** An asymmetric matcher (`expect.any(Number)`, `expect.anything()`, …) inside an expected value. */
export interface AsymmetricMatcher {
  readonly asymmetricMatch: (actual: unknown) => boolean;
  readonly toString: () => string;
}

export function isAsymmetric(value: unknown): value is AsymmetricMatcher {
  return typeof value === "object" && value !== null &&
    typeof (value as { asymmetricMatch?: unknown }).asymmetricMatch === "function";
}

interface EqualsOptions {
  strict: boolean;
  /** `toMatchObject`: only the expected object's keys must be present and match. */
  subset?: boolean;
}

export function equals(actual: unknown, expected: unknown, options: EqualsOptions): boolean {
  return eq(actual, expected, options, []);
}

function eq(a: unknown, b: unknown, o: EqualsOptions, seen: Array<[unknown, unknown]>): boolean {
  if (isAsymmetric(b)) return b.asymmetricMatch(a);
  if (isAsymmetric(a)) return a.asymmetricMatch(b);
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  for (const [x, y] of seen) if (x === a && y === b) return true;
  seen.push([a, b]);
  try {
    return eqObjects(a as object, b as object, o, seen);
  } finally {
    seen.pop();
  }
}

function eqObjects(a: object, b: object, o: EqualsOptions, seen: Array<[unknown, unknown]>): boolean {
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (o.strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
  }
  if (a instanceof RegExp || b instanceof RegExp) {
    return a instanceof RegExp && b instanceof RegExp && String(a) === String(b);
  }
  if (a instanceof ArrayBuffer || b instanceof ArrayBuffer) {
    return a instanceof ArrayBuffer && b instanceof ArrayBuffer &&
      eqViews(new Uint8Array(a), new Uint8Array(b));
  }
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b)) return false;
    if (o.strict && a.constructor !== b.constructor) return false;
    return eqViews(a, b);
  }
  if (a instanceof Error && b instanceof Error) {
    if (a.name !== b.name || a.message !== b.message) return false;
  }
  if (a instanceof Map || b instanceof Map) return eqMaps(a, b, o, seen);
  if (a instanceof Set || b instanceof Set) return eqSets(a, b, o, seen);
  if (Array.isArray(a) && Array.isArray(b)) return eqArrays(a, b, o, seen);
  return eqRecords(a as Record<PropertyKey, unknown>, b as Record<PropertyKey, unknown>, o, seen);
}

function eqViews(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a instanceof DataView || b instanceof DataView) {
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    return eqViews(x, y);
  }
  const x = a as unknown as ArrayLike<number | bigint>;
  const y = b as unknown as ArrayLike<number | bigint>;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}

function eqArrays(a: unknown[], b: unknown[], o: EqualsOptions, seen: Array<[unknown, unknown]>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (o.strict && (i in a) !== (i in b)) return false;
    if (!eq(a[i], b[i], o, seen)) return false;
  }
  return true;
}

function eqMaps(a: object, b: object, o: EqualsOptions, seen: Array<[unknown, unknown]>): boolean {
  if (!(a instanceof Map) || !(b instanceof Map) || a.size !== b.size) return false;
  outer: for (const [key, value] of a) {
    if (b.has(key)) {
      if (!eq(value, b.get(key), o, seen)) return false;
      continue;
    }
    for (const [k2, v2] of b) if (eq(key, k2, o, seen) && eq(value, v2, o, seen)) continue outer;
    return false;
  }
  return true;
}

function eqSets(a: object, b: object, o: EqualsOptions, seen: Array<[unknown, unknown]>): boolean {
  if (!(a instanceof Set) || !(b instanceof Set) || a.size !== b.size) return false;
  outer: for (const value of a) {
    if (b.has(value)) continue;
    for (const v2 of b) if (eq(value, v2, o, seen)) continue outer;
    return false;
  }
  return true;
}

function ownKeys(obj: object, skipUndefined: boolean): PropertyKey[] {
  const keys: PropertyKey[] = [];
  for (const key of Reflect.ownKeys(obj)) {
    if (!Object.prototype.propertyIsEnumerable.call(obj, key)) continue;
    if (skipUndefined && (obj as Record<PropertyKey, unknown>)[key] === undefined) continue;
    keys.push(key);
  }
  return keys;
}

function eqRecords(
  a: Record<PropertyKey, unknown>,
  b: Record<PropertyKey, unknown>,
  o: EqualsOptions,
  seen: Array<[unknown, unknown]>,
): boolean {
  const bKeys = ownKeys(b, !o.strict && !o.subset);
  if (o.subset) {
    return bKeys.every((k) => k in a && eq(a[k], b[k], o, seen));
  }
  const aKeys = ownKeys(a, !o.strict);
  if (aKeys.length !== bKeys.length) return false;
  for (const key of aKeys) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
    if (!eq(a[key], b[key], o, seen)) return false;
  }
  return true;
}
