import type { MatchPolicy } from "../store/security_records.ts";

/**
 * Whether `uri` is covered by a grant's resource pattern, with the same semantics as the
 * router's UriMatcher (WAMP "Pattern-based Registration/Subscription"):
 * - exact: equal strings;
 * - prefix: on the raw string ("com.a" covers "com.a-b" and "com.a.b");
 * - wildcard: same number of dot-separated components, an empty component matches any one.
 *
 * Why a local function rather than UriMatcher: rbac may not import router (layering), and
 * grant evaluation scans a realm's few grants once per (session, permission, uri) — the result
 * is cached — so a trie buys nothing here. test/rbac/uri_pattern.test.ts runs one case table
 * against both this function and UriMatcher so the two cannot drift apart.
 */
export function matchesUri(pattern: string, match: MatchPolicy, uri: string): boolean {
  if (match === "exact") return pattern === uri;
  if (match === "prefix") return uri.startsWith(pattern);
  const want = pattern.split(".");
  const got = uri.split(".");
  if (want.length !== got.length) return false;
  for (let i = 0; i < want.length; i++) {
    if (want[i] !== "" && want[i] !== got[i]) return false;
  }
  return true;
}
