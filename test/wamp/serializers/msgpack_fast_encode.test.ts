// The fast MessagePack encoder must write exactly the bytes our configured @msgpack/msgpack
// encoder writes (the encoding the spec's test vectors were checked against), and hand back
// what it does not cover.
import { describe, expect, test } from "bun:test";
import { encodeMsgpackFast, FALLBACK } from "../../../src/wamp/serializers/_msgpack_encode.ts";
import { encodeWithLibrary } from "../../../src/wamp/serializers/msgpack.ts";

const viaLibrary = (v: unknown) => encodeWithLibrary(v).toHex();
const fast = (v: unknown) => {
  const out = encodeMsgpackFast(v);
  return out === FALLBACK ? FALLBACK : out.toHex();
};

describe("fast MessagePack encoder", () => {
  const ints = [0, 1, 31, 32, 127, 128, 255, 256, 65535, 65536, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 60, 2 ** 64 - 2 ** 11, 2 ** 64, 2 ** 70];
  const negs = [-1, -31, -32, -33, -127, -128, -129, -32767, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 32), -(2 ** 40) - 5, -(2 ** 53), -(2 ** 64), -(2 ** 70)];
  const values: [string, unknown][] = [
    ...ints.map((n): [string, unknown] => [`integer ${n}`, n]),
    ...negs.map((n): [string, unknown] => [`integer ${n}`, n]),
    ["-0", -0],
    ["floats", [1.5, -0.25, 1e300 / 3e290, 5e-324, 0.1, NaN, Infinity, -Infinity]],
    ["nil and booleans", [true, false, null, undefined]],
    ["strings of every header size", ["", "a", "x".repeat(31), "x".repeat(32), "x".repeat(255), "x".repeat(256), "x".repeat(70000)]],
    ["non-ASCII strings", ["é", "日本語", "😀", "a".repeat(30) + "é", "é".repeat(200), "✓".repeat(100)]],
    ["bytes", [new Uint8Array(0), new Uint8Array([0, 255]), new Uint8Array(300), new Uint8Array(70000)]],
    ["nested", { a: [1, { b: [] }], "": {}, "é": [[[]]] }],
    ["undefined dict values dropped", { a: undefined, b: 1, c: undefined }],
    ["maps of every header size", [Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, i])), Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i]))]],
    ["numeric-looking keys", { "2": 1, "1": 2, b: 3 }],
    ["arrays of every header size", [Array(15).fill(1), Array(16).fill(1), Array(70000).fill(0)]],
    ["null-prototype dict", Object.assign(Object.create(null), { x: 1 })],
    ["a WAMP CALL", [48, 2 ** 53, { receive_progress: true, timeout: 2 ** 40 }, "com.x.y", ["x".repeat(64), -(2 ** 40), 1.5]]],
  ];
  for (const [what, v] of values) {
    test(`${what}: same bytes as the library`, () => {
      expect(fast(v)).toBe(viaLibrary(v));
    });
  }

  const handedBack: [string, unknown][] = [
    ["a negative integer below -2^53", -(2 ** 60)],
    ["a bigint", 1n],
    ["a Date", new Date(0)],
    ["a Map", new Map()],
    ["another typed array", new Uint16Array(2)],
    ["a class instance", new (class X {})()],
    ["a lone surrogate", "\ud800x"],
    ["nesting deeper than 100", JSON.parse("[".repeat(102) + "]".repeat(102))],
  ];
  for (const [what, v] of handedBack) {
    test(`${what}: handed back to the library`, () => {
      expect(encodeMsgpackFast(v)).toBe(FALLBACK);
    });
  }

  test("random WAMP-like values: same bytes as the library", () => {
    let seed = 11;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const value = (depth: number): unknown => {
      switch (rand(depth > 2 ? 6 : 9)) {
        case 0: return (rand(2 ** 16) + 1) * (rand(2) ? 1 : -1) * 2 ** rand(38);
        case 1: return rand(1000) / 7;
        case 2: return "abcé✓😀".slice(rand(6)).repeat(rand(12));
        case 3: return [true, false, null][rand(3)];
        case 4: return new Uint8Array(rand(40));
        case 5: return undefined;
        case 6: return Array.from({ length: rand(rand(4) ? 8 : 20) }, () => value(depth + 1));
        default: return Object.fromEntries(Array.from({ length: rand(rand(4) ? 8 : 20) }, (_, i) => [`k${i}${"é".repeat(rand(2))}`, value(depth + 1)]));
      }
    };
    for (let i = 0; i < 5000; i++) {
      const v = [value(0), value(0)];
      expect(fast(v)).toBe(viaLibrary(v));
    }
  });
});
