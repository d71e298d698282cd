/**
 * URI validation (spec "URIs"). Hand-written character loops instead of the spec's example
 * regular expressions: this runs for every REGISTER, SUBSCRIBE, CALL and PUBLISH.
 *
 * - loose: a component is any non-empty run without `.`, `#` or whitespace;
 * - strict: a component matches [0-9a-z_]+ (the spec's SHOULD);
 * - allowEmptyComponents: any component may be empty, e.g. "com.myapp..update" — wildcard
 *   patterns (spec "Pattern-based Subscription/Registration", match "wildcard");
 * - allowLastEmpty: only the last component may be empty, e.g. "com.myapp." — prefix
 *   patterns, where matching is on the raw string prefix.
 *
 * As in the spec's patterns, allowing empty components also admits the empty string.
 */
export interface UriOptions {
  strict: boolean;
  allowEmptyComponents?: boolean;
  allowLastEmpty?: boolean;
}

const DOT = 0x2e;
const HASH = 0x23;

export function isValidUri(uri: string, opts: UriOptions): boolean {
  const emptyAny = opts.allowEmptyComponents === true;
  const emptyLast = emptyAny || opts.allowLastEmpty === true;
  const strict = opts.strict;
  let componentLength = 0;
  for (let i = 0; i < uri.length; i++) {
    const c = uri.charCodeAt(i);
    if (c === DOT) {
      if (componentLength === 0 && !emptyAny) return false;
      componentLength = 0;
      continue;
    }
    if (strict ? !isStrictChar(c) : c === HASH || isWhitespace(c)) return false;
    componentLength++;
  }
  return componentLength > 0 || emptyLast;
}

/**
 * Chooses the URI rules for a REGISTER/SUBSCRIBE `match` policy ("exact" when absent).
 * Returns false for an unknown policy.
 */
export function isValidPattern(uri: string, match: string | undefined, strict: boolean): boolean {
  if (match === undefined || match === "exact") return isValidUri(uri, { strict });
  if (match === "prefix") return isValidUri(uri, { strict, allowLastEmpty: true });
  if (match === "wildcard") return isValidUri(uri, { strict, allowEmptyComponents: true });
  return false;
}

/** Spec "Reserved URIs": application URIs MUST NOT use `wamp` as their first component. */
export function isReservedUri(uri: string): boolean {
  return uri.startsWith("wamp") && (uri.length === 4 || uri.charCodeAt(4) === DOT);
}

// [0-9a-z_]
function isStrictChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

// The characters Python's Unicode `\s` matches, since the spec states its rules as Python
// regular expressions.
function isWhitespace(c: number): boolean {
  if (c > 0x20 && c < 0x7f) return false; // printable ASCII: the common case
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f) || c === 0x85 ||
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 ||
    c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/**
 * Whether one `uri` is covered by one (pattern, match) pair, with the semantics of WAMP
 * "Pattern-based Subscription/Registration": exact equality; prefix on the raw string ("com.a"
 * covers "com.a-b" and "com.a.b"); wildcard: same number of components, an empty pattern
 * component matches any one. For the cold paths that test one pair at a time (RBAC grants,
 * retained events, event history); routing uses the router's UriMatcher tries, and
 * test/wamp/pattern_match.test.ts runs one case table against both.
 */
export function matchesPattern(uri: string, pattern: string, match: "exact" | "prefix" | "wildcard"): boolean {
  if (match === "exact") return uri === pattern;
  if (match === "prefix") return uri.startsWith(pattern);
  const want = pattern.split(".");
  const got = uri.split(".");
  if (want.length !== got.length) return false;
  for (let i = 0; i < want.length; i++) {
    if (want[i] !== "" && want[i] !== got[i]) return false;
  }
  return true;
}
