import { describe, expect, test } from "bun:test";
import { matchesPattern } from "../../src/wamp/uri.ts";
import { type MatchPolicy, UriMatcher } from "../../src/router/uri_matcher.ts";

// One case table run against matchesPattern (RBAC grants, retained events, event history) and
// the router's UriMatcher, so grants, retention and routing agree on what a pattern covers.
const CASES: [string, MatchPolicy, string, boolean][] = [
  ["com.app.add", "exact", "com.app.add", true],
  ["com.app.add", "exact", "com.app.add2", false],
  ["com.app", "prefix", "com.app.add", true],
  ["com.app", "prefix", "com.app-b", true],
  ["com.app", "prefix", "com.ap", false],
  ["com.app.", "prefix", "com.app", false],
  ["com..add", "wildcard", "com.x.add", true],
  ["com..add", "wildcard", "com.x.y.add", false],
  ["com..add", "wildcard", "com.add", false],
  ["..", "wildcard", "a.b.c", true],
  ["a..c", "wildcard", "a.b.d", false],
];

describe("URI patterns", () => {
  for (const [pattern, match, uri, expected] of CASES) {
    test(`${match} "${pattern}" ${expected ? "covers" : "does not cover"} "${uri}" (matchesPattern and UriMatcher agree)`, () => {
      expect(matchesPattern(uri, pattern, match)).toBe(expected);
      const m = new UriMatcher<number>();
      m.set(pattern, match, 1);
      let found = false;
      m.all(uri, () => { found = true; });
      expect(found).toBe(expected);
    });
  }
});
