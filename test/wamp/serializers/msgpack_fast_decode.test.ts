// The fast MessagePack decoder must agree with @msgpack/msgpack wherever it answers, and hand
// everything else back (FALLBACK): checked on hand-picked edge cases and on mutated messages.
import { describe, expect, test } from "bun:test";
import { Decoder } from "@msgpack/msgpack";
import { decodeMsgpackFast, FALLBACK } from "../../../src/wamp/serializers/_msgpack_decode.ts";
import { narrow } from "../../../src/wamp/serializers/_wire_values.ts";
import { msgpackSerializer } from "../../../src/wamp/serializers/msgpack.ts";

const reference = new Decoder({ useBigInt64: true });
const bytes = (h: string) => Uint8Array.fromHex(h);

/** The library's answer as the serializer saw it before the fast path: a value, or "error". */
function viaLibrary(data: Uint8Array): unknown {
  try {
    return narrow(reference.decode(data));
  } catch {
    return "error";
  }
}

describe("fast MessagePack decoder", () => {
  const answered: [string, string, unknown][] = [
    ["positive fixint", "7f", 127],
    ["negative fixint", "e0", -32],
    ["uint8", "cc80", 128],
    ["uint16", "cd0100", 256],
    ["uint32", "ceffffffff", 0xffff_ffff],
    ["uint64 2^32", "cf0000000100000000", 2 ** 32],
    ["uint64 2^53", "cf0020000000000000", 2 ** 53],
    ["int8", "d080", -128],
    ["int16", "d18000", -32768],
    ["int32", "d280000000", -(2 ** 31)],
    ["int64 -2^53", "d3ffe0000000000000", -(2 ** 53)],
    ["int64 -2^32-1", "d3fffffffeffffffff", -(2 ** 32) - 1],
    ["int64 small", "d30000000000000005", 5],
    ["float32", "ca3fc00000", 1.5],
    ["float64", "cb3ff8000000000000", 1.5],
    ["nil and booleans", "93c0c2c3", [null, false, true]],
    ["fixstr", "a568c3a96c6c", "héll"],
    ["str8", "d903616263", "abc"],
    ["bin8", "c40200ff", new Uint8Array([0, 255])],
    ["array16", "dc0002c0c0", [null, null]],
    ["map", "82a16101a16292c080", { a: 1, b: [null, {}] }],
  ];
  for (const [what, hex, value] of answered) {
    test(`${what}: same value as the library`, () => {
      expect(decodeMsgpackFast(bytes(hex))).toEqual(value);
      expect(viaLibrary(bytes(hex))).toEqual(value);
    });
  }

  test("invalid UTF-8 becomes U+FFFD, as with TextDecoder (the library's JS decoder reads a stray byte as Latin-1)", () => {
    expect(decodeMsgpackFast(bytes("a2ff41"))).toBe("\ufffdA");
    expect(msgpackSerializer.decode(bytes("9446" + "01" + "80" + "91a2ff41"))).toEqual({ type: 70, request: 1, options: {}, args: ["\ufffdA"] });
  });

  const handedBack: [string, string][] = [
    ["uint64 above 2^53", "cf0020000000000001"],
    ["int64 below -2^53", "d3ffdfffffffffffff"],
    ["int64 just below -2^53", "d3ffe0000000000000".slice(0, 2) + "ffdfffffffffffff"],
    ["an extension (wampy's undefined)", "d40000"],
    ["0xc1", "c1"],
    ["a numeric map key", "810102"],
    ["a __proto__ key", "81a95f5f70726f746f5f5f80"],
    ["truncated input", "93c0"],
    ["trailing bytes", "c0c0"],
    ["empty input", ""],
    ["a length past the end", "ddffffffff"],
  ];
  for (const [what, hex] of handedBack) {
    test(`${what}: handed back to the library`, () => {
      expect(decodeMsgpackFast(bytes(hex))).toBe(FALLBACK);
    });
  }

  test("the serializer still reads wampy's undefined extension through the library", () => {
    // [YIELD, 1, {}, [undefined]]
    const msg = msgpackSerializer.decode(bytes("9446" + "01" + "80" + "91d40000"));
    expect(msg).toEqual({ type: 70, request: 1, options: {}, args: [undefined] });
  });

  test("on mutated messages, whenever the fast path answers, the library gives the same value", () => {
    const samples = [
      { type: 48, request: 7, options: { receive_progress: true, timeout: 2 ** 40 }, procedure: "com.x.y", args: ["ü€", 1.25, -3, null, new Uint8Array([1, 2]), -(2 ** 40)], kwargs: { k: [1, { z: "w" }] } },
      { type: 36, subscription: 2 ** 53, publication: 1, details: { publisher: 5 }, args: [2 ** 32, -(2 ** 31) - 1, "x".repeat(40)] },
    ];
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let answeredCount = 0;
    for (const sample of samples) {
      const wire = msgpackSerializer.encode(sample as never) as Uint8Array;
      for (let i = 0; i < 10000; i++) {
        const m = wire.slice(0, rand(4) === 0 ? rand(wire.length + 1) : wire.length);
        for (let k = 0; k <= rand(3); k++) if (m.length) m[rand(m.length)] = rand(256);
        const fast = decodeMsgpackFast(m);
        if (fast === FALLBACK) continue;
        answeredCount++;
        expect(fast).toEqual(viaLibrary(m));
      }
    }
    expect(answeredCount).toBeGreaterThan(100);
  });
});
