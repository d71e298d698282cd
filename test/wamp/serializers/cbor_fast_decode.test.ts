// The fast CBOR decoder must agree with cbor-x wherever it answers, and hand everything else
// back (FALLBACK) so cbor-x decides: checked on hand-picked edge cases and on mutated messages.
import { describe, expect, test } from "bun:test";
import { Decoder } from "cbor-x/encode";
import { decodeCborFast, FALLBACK } from "../../../src/wamp/serializers/_cbor_decode.ts";
import { narrow } from "../../../src/wamp/serializers/_wire_values.ts";
import { cborSerializer } from "../../../src/wamp/serializers/cbor.ts";

const reference = new Decoder({ useRecords: false, mapsAsObjects: true });
const bytes = (h: string) => Uint8Array.fromHex(h);

/** cbor-x's answer as the serializer saw it before the fast path: a value, or "error". */
function viaCborX(data: Uint8Array): unknown {
  try {
    return narrow(reference.decode(data));
  } catch {
    return "error";
  }
}

describe("fast CBOR decoder", () => {
  const answered: [string, string, unknown][] = [
    ["small uint", "17", 23],
    ["uint8", "1818", 24],
    ["uint16", "190100", 256],
    ["uint32", "1affffffff", 0xffff_ffff],
    ["uint64 2^32", "1b0000000100000000", 2 ** 32],
    ["uint64 2^53", "1b0020000000000000", 2 ** 53],
    ["negative", "20", -1],
    ["negative uint32", "3affffffff", -(2 ** 32)],
    ["negative 2^53", "3b001fffffffffffff", -(2 ** 53)],
    ["float32", "fa3fc00000", 1.5],
    ["float64", "fb3ff8000000000000", 1.5],
    ["simple values", "84f4f5f6f7", [false, true, null, undefined]],
    ["text", "6568c3a96c6c", "héll"],
    ["invalid utf-8 becomes U+FFFD", "62ff41", "\ufffdA"],
    ["bytes", "4200ff", new Uint8Array([0, 255])],
    ["map", "a2616101616282f6a0", { a: 1, b: [null, {}] }],
  ];
  for (const [what, hex, value] of answered) {
    test(`${what}: same value as cbor-x`, () => {
      expect(decodeCborFast(bytes(hex))).toEqual(value);
      expect(viaCborX(bytes(hex))).toEqual(value);
    });
  }

  const handedBack: [string, string][] = [
    ["uint64 above 2^53", "1b0020000000000001"],
    ["negative beyond -2^53", "3b0020000000000000"],
    ["a tag (bignum)", "c249010000000000000000"],
    ["a date tag", "c11a514b67b0"],
    ["an indefinite-length array", "9f0102ff"],
    ["an indefinite-length string", "7f61616162ff"],
    ["a half float", "f93c00"],
    ["a numeric map key", "a10102"],
    ["a __proto__ key", "a1695f5f70726f746f5f5fa0"],
    ["a break", "ff"],
    ["truncated input", "8311"],
    ["trailing bytes", "8211010101"],
    ["empty input", ""],
    ["a length past the end", "9a7fffffff"],
  ];
  for (const [what, hex] of handedBack) {
    test(`${what}: handed back to cbor-x`, () => {
      expect(decodeCborFast(bytes(hex))).toBe(FALLBACK);
    });
  }

  test("a __proto__ key cannot set a prototype through the serializer", () => {
    // [PUBLISH, 1, {}, "a", [{"__proto__": {"x": 1}}]]
    const msg = cborSerializer.decode(bytes("85100" + "1a06161" + "81a1695f5f70726f746f5f5fa1617801"));
    const arg = (msg as { args: object[] }).args[0];
    expect(Object.getPrototypeOf(arg)).toBe(Object.prototype);
    expect((arg as { x?: number }).x).toBeUndefined();
  });

  test("on mutated messages, whenever the fast path answers, cbor-x gives the same value", () => {
    const samples = [
      { type: 48, request: 7, options: { receive_progress: true, timeout: 2 ** 40 }, procedure: "com.x.y", args: ["ü€", 1.25, -3, null, new Uint8Array([1, 2])], kwargs: { k: [1, { z: "w" }] } },
      { type: 36, subscription: 2 ** 53, publication: 1, details: { publisher: 5 }, args: [2 ** 32, -(2 ** 31) - 1] },
    ];
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let answeredCount = 0;
    for (const sample of samples) {
      const wire = cborSerializer.encode(sample as never) as Uint8Array;
      for (let i = 0; i < 10000; i++) {
        const m = wire.slice(0, rand(4) === 0 ? rand(wire.length + 1) : wire.length);
        for (let k = 0; k <= rand(3); k++) if (m.length) m[rand(m.length)] = rand(256);
        const fast = decodeCborFast(m);
        if (fast === FALLBACK) continue;
        answeredCount++;
        expect(fast).toEqual(viaCborX(m));
      }
    }
    expect(answeredCount).toBeGreaterThan(100);
  });
});
