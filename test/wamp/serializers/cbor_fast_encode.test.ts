// The fast CBOR encoder must write exactly the bytes cbor-x writes after toWire (the encoding
// the spec's test vectors were checked against), and hand back what it does not cover.
import { describe, expect, test } from "bun:test";
import { Encoder } from "cbor-x/encode";
import { encodeCborFast, FALLBACK } from "../../../src/wamp/serializers/_cbor_encode.ts";
import { toWire } from "../../../src/wamp/serializers/_wire_values.ts";

const reference = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, variableMapSize: true });
const viaCborX = (v: unknown) => (reference.encode(toWire(v, -0x1_0000_0000, 0xffff_ffff)) as Uint8Array).toHex();
const fast = (v: unknown) => {
  const out = encodeCborFast(v);
  return out === FALLBACK ? FALLBACK : out.toHex();
};

describe("fast CBOR encoder", () => {
  const ints = [0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 60, 2 ** 64 - 2 ** 11];
  const values: [string, unknown][] = [
    ...ints.map((n): [string, unknown] => [`integer ${n}`, n]),
    ...ints.map((n): [string, unknown] => [`integer -${n}-1`, -n - 1]).filter(([, v]) => (v as number) >= -(2 ** 53)),
    ["floats", [1.5, -0.25, 1e300 / 3e290, 5e-324, 0.1]],
    ["simple values", [true, false, null, undefined]],
    ["strings of every head size", ["", "a", "x".repeat(23), "x".repeat(24), "x".repeat(255), "x".repeat(256), "x".repeat(70000)]],
    ["non-ASCII strings", ["é", "日本語", "😀", "a".repeat(30) + "é", "é".repeat(200), "✓".repeat(100)]],
    ["bytes", [new Uint8Array(0), new Uint8Array([0, 255]), new Uint8Array(300)]],
    ["nested", { a: [1, { b: [] }], "": {}, "é": [[[]]] }],
    ["undefined dict values dropped", { a: undefined, b: 1, c: undefined }],
    ["big map", Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i]))],
    ["numeric-looking keys", { "2": 1, "1": 2, b: 3 }],
    ["long array", Array.from({ length: 300 }, (_, i) => i * 1000)],
    ["null-prototype dict", Object.assign(Object.create(null), { x: 1 })],
    ["a WAMP CALL", [48, 2 ** 53, { receive_progress: true, timeout: 2 ** 40 }, "com.x.y", ["x".repeat(64), -(2 ** 40), 1.5]]],
  ];
  for (const [what, v] of values) {
    test(`${what}: same bytes as cbor-x`, () => {
      expect(fast(v)).toBe(viaCborX(v));
    });
  }

  const handedBack: [string, unknown][] = [
    ["NaN", NaN],
    ["Infinity", [Infinity]],
    ["-0", -0],
    ["an integer beyond 2^64", 2 ** 64],
    ["a huge float (an integer to JavaScript)", 1e300],
    ["a lone surrogate", "\ud800x"],
    ["a negative integer below -2^53", -(2 ** 60)],
    ["a bigint", 1n],
    ["a Date", new Date(0)],
    ["a Map", new Map()],
    ["another typed array", new Uint16Array(2)],
    ["a class instance", new (class X {})()],
  ];
  for (const [what, v] of handedBack) {
    test(`${what}: handed back to cbor-x`, () => {
      expect(encodeCborFast(v)).toBe(FALLBACK);
    });
  }

  test("random WAMP-like values: same bytes as cbor-x", () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const value = (depth: number): unknown => {
      switch (rand(depth > 2 ? 6 : 9)) {
        case 0: return (rand(2 ** 16) + 1) * (rand(2) ? 1 : -1) * 2 ** rand(40);
        case 1: return rand(1000) / 7;
        case 2: return "abcé✓😀".slice(rand(6)).repeat(rand(12));
        case 3: return [true, false, null][rand(3)];
        case 4: return new Uint8Array(rand(40));
        case 5: return undefined;
        case 6: return Array.from({ length: rand(8) }, () => value(depth + 1));
        default: return Object.fromEntries(Array.from({ length: rand(rand(4) ? 8 : 30) }, (_, i) => [`k${i}${"é".repeat(rand(2))}`, value(depth + 1)]));
      }
    };
    for (let i = 0; i < 5000; i++) {
      const v = [value(0), value(0)];
      expect(fast(v)).toBe(viaCborX(v));
    }
  });
});
