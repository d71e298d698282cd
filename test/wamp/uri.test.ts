import { describe, expect, test } from "bun:test";
import { isReservedUri, isValidPattern, isValidUri } from "../../src/wamp/uri.ts";

const loose = { strict: false };
const strict = { strict: true };
const wildcard = { strict: false, allowEmptyComponents: true };
const strictWildcard = { strict: true, allowEmptyComponents: true };
const prefix = { strict: false, allowLastEmpty: true };

// [uri, loose, strict, loose wildcard, strict wildcard, loose prefix]
const CASES: [string, boolean, boolean, boolean, boolean, boolean][] = [
  ["com.myapp.topic1", true, true, true, true, true],
  ["a", true, true, true, true, true],
  ["com.my_app.x1", true, true, true, true, true],
  ["com.MyApp.x", true, false, true, false, true],
  ["com.my-app.x", true, false, true, false, true],
  ["com.myapp..x", false, false, true, true, false],
  ["..", false, false, true, true, false],
  [".com.myapp", false, false, true, true, false],
  ["com.myapp.", false, false, true, true, true],
  ["", false, false, true, true, true],
  ["a b", false, false, false, false, false],
  ["com.my\tapp", false, false, false, false, false],
  ["com.my\u00a0app", false, false, false, false, false],
  ["com.my\u3000app", false, false, false, false, false],
  ["com.myapp.#", false, false, false, false, false],
  ["com.myäpp", true, false, true, false, true],
];

describe("isValidUri", () => {
  for (const [uri, l, s, w, sw, p] of CASES) {
    test(`${JSON.stringify(uri)}: loose ${l}, strict ${s}, wildcard ${w}/${sw}, prefix ${p}`, () => {
      expect(isValidUri(uri, loose)).toBe(l);
      expect(isValidUri(uri, strict)).toBe(s);
      expect(isValidUri(uri, wildcard)).toBe(w);
      expect(isValidUri(uri, strictWildcard)).toBe(sw);
      expect(isValidUri(uri, prefix)).toBe(p);
    });
  }
});

describe("isValidPattern", () => {
  test("picks the rules from the match policy", () => {
    expect(isValidPattern("com.myapp..x", "wildcard", false)).toBe(true);
    expect(isValidPattern("com.myapp..x", "exact", false)).toBe(false);
    expect(isValidPattern("com.myapp..x", undefined, false)).toBe(false);
    expect(isValidPattern("com.myapp.", "prefix", true)).toBe(true);
    expect(isValidPattern("com..myapp", "prefix", true)).toBe(false);
    expect(isValidPattern("com.myapp", "regex", false)).toBe(false);
  });
});

describe("isReservedUri", () => {
  test("the wamp namespace is reserved, lookalikes are not", () => {
    expect(isReservedUri("wamp.session.count")).toBe(true);
    expect(isReservedUri("wamp")).toBe(true);
    expect(isReservedUri("wampy.topic")).toBe(false);
    expect(isReservedUri("com.wamp.x")).toBe(false);
  });
});
