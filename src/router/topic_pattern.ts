import type { MatchPolicy } from "./uri_matcher.ts";

/**
 * Whether `topic` matches one (pattern, match) pair, for the cold paths that test a few stored
 * topics against one subscription (retained events on SUBSCRIBE). Routing itself goes through
 * UriMatcher, never through this.
 */
export function topicMatches(topic: string, pattern: string, match: MatchPolicy): boolean {
  if (match === "exact") return topic === pattern;
  // WAMP "Pattern-based Subscription", prefix: on the raw string ("a.b" matches "a.b-c").
  if (match === "prefix") return topic.startsWith(pattern);
  // Wildcard: an empty pattern component matches any one whole topic component.
  const t = topic.split(".");
  const p = pattern.split(".");
  if (t.length !== p.length) return false;
  for (let i = 0; i < p.length; i++) {
    if (p[i] !== "" && p[i] !== t[i]) return false;
  }
  return true;
}
