// The driver's byte-level checks (bench/driver/json_fast.ts, binary_fast.ts via fast_checks.ts)
// accept only frames in exactly the expected form and read the right integer; everything else
// must fall back (-1) to a full decode.
import { describe, expect, test } from "bun:test";
import { Encoder } from "@msgpack/msgpack";
import { Encoder as CborEncoder } from "cbor-x/encode";
import { codecFor } from "../../bench/driver/codec.ts";
import { eventMatcher, invocationMatcher, resultMatcher } from "../../bench/driver/fast_checks.ts";
import { eventSeq, idThenTail, invocationId } from "../../bench/driver/json_fast.ts";

const cborWide = new CborEncoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, variableMapSize: true });

const bytes = (s: string) => new TextEncoder().encode(s);

describe("bench driver fast JSON checks", () => {
  test("a RESULT with the expected payload yields its request id; any other form falls back", () => {
    const check = idThenTail(50, ',{},["xx"]]');
    expect(check(bytes('[50,123,{},["xx"]]'))).toBe(123);
    expect(check(bytes('[50,123,{"a":1},["xx"]]'))).toBe(-1);
    expect(check(bytes('[50,123,{},["xy"]]'))).toBe(-1);
    expect(check(bytes('[51,123,{},["xx"]]'))).toBe(-1);
    expect(check(bytes('[50,1x3,{},["xx"]]'))).toBe(-1);
    expect(check(bytes('[50, 123, {}, ["xx"]]'))).toBe(-1);
  });

  test("an INVOCATION with the expected payload yields its id whatever the registration id", () => {
    const check = invocationId(',{},["xx"]]');
    expect(check(bytes('[68,7,99,{},["xx"]]'))).toBe(7);
    expect(check(bytes('[68,7,8123456789012345,{},["xx"]]'))).toBe(7);
    expect(check(bytes('[68,7,{},["xx"]]'))).toBe(-1);
    expect(check(bytes('[68,7,99,{"procedure":"a.b"},["xx"]]'))).toBe(-1);
    expect(check(bytes('[68,7,99,{},["xx"],{"k":1}]'))).toBe(-1);
  });

  test("an EVENT with the expected payload yields its sequence number", () => {
    const check = eventSeq('"xx"');
    expect(check(bytes('[36,5,77,{},[42,"xx"]]'))).toBe(42);
    expect(check(bytes('[36,5,77,{},[0,"xx"]]'))).toBe(0);
    // Router-minted ids go up to 2^53: 16 digits.
    expect(check(bytes('[36,4503599627370496,1185073696002119,{},[7,"xx"]]'))).toBe(7);
    expect(check(bytes('[36,5,77,{"publisher":1},[42,"xx"]]'))).toBe(-1);
    expect(check(bytes('[36,5,77,{},[4a2,"xx"]]'))).toBe(-1);
    expect(check(bytes('[36,5,{},[42,"xx"]]'))).toBe(-1);
    expect(check(bytes('[36,5,77,{},[42,"xy"]]'))).toBe(-1);
  });
});

describe("bench driver fast MessagePack and CBOR checks", () => {
  const payload = { args: ["x".repeat(64)] };
  for (const name of ["msgpack", "cbor"] as const) {
    const codec = codecFor(name);
    // 64-bit ids as the router writes them (uint64 heads): encoded from bigints.
    const wide = name === "msgpack" ? (v: unknown) => new Encoder({ useBigInt64: true }).encode(v) : (v: unknown) => cborWide.encode(v);

    test(`${name}: RESULT, INVOCATION and EVENT in the expected form yield their id or sequence number`, () => {
      expect(resultMatcher(codec, payload)(codec.encode([50, 300, {}, payload.args]))).toBe(300);
      expect(invocationMatcher(codec, payload)(wide([68, 70000, 4503599627370496n, {}, payload.args]))).toBe(70000);
      expect(eventMatcher(codec, payload.args[0])(wide([36, 4503599627370497n, 1185073696002119n, {}, [123456, payload.args[0]]]))).toBe(123456);
    });

    test(`${name}: other details, another payload or trailing bytes fall back`, () => {
      expect(resultMatcher(codec, payload)(codec.encode([50, 300, { progress: true }, payload.args]))).toBe(-1);
      expect(resultMatcher(codec, payload)(codec.encode([50, 300, {}, ["y"]]))).toBe(-1);
      expect(resultMatcher(codec, payload)(Uint8Array.from([...codec.encode([50, 300, {}, payload.args]), 0]))).toBe(-1);
      expect(invocationMatcher(codec, payload)(codec.encode([68, 1, 2, { procedure: "a.b" }, payload.args]))).toBe(-1);
      expect(eventMatcher(codec, payload.args[0])(codec.encode([36, 1, 2, {}, [7, "other"]]))).toBe(-1);
      expect(eventMatcher(codec, payload.args[0])(codec.encode([36, 1, 2, {}, [7, payload.args[0]], { k: 1 }]))).toBe(-1);
    });
  }
});
