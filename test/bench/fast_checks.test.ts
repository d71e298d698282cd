// The driver's byte-level JSON checks (bench/driver/json_fast.ts) accept only frames in exactly
// the expected form and read the right integer; everything else must fall back (-1).
import { describe, expect, test } from "bun:test";
import { eventSeq, idThenTail, invocationId } from "../../bench/driver/json_fast.ts";

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
