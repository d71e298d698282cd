import { matchesPattern } from "../src/wamp/mod.ts";

/** URI match policy of a registration, subscription or bridge filter. */
export type MatchPolicy = "exact" | "prefix" | "wildcard";

/** One bridge filter from the config: which URIs a realm bridge carries in one direction. */
export interface BridgeFilter {
  uri: string;
  match: MatchPolicy;
}

/** Whether the concrete `uri` is inside the filter. */
export function filterMatches(f: BridgeFilter, uri: string): boolean {
  return matchesPattern(uri, f.uri, f.match);
}

/**
 * Whether every URI the pattern (uri, match) can match is inside the filter: an exported
 * pattern registration must lie wholly inside an export filter, so the core never routes a
 * call the filter does not allow.
 */
export function filterCovers(f: BridgeFilter, uri: string, match: MatchPolicy): boolean {
  if (match === "exact") return filterMatches(f, uri);
  if (f.match === "exact") return false;
  if (f.match === "prefix") {
    // A wildcard pattern's URIs all start with its components before the first empty one.
    return concretePrefix(uri, match).startsWith(f.uri);
  }
  // Filter wildcard: only a wildcard pattern of the same length whose components are each
  // the same or free where the filter's are free.
  if (match !== "wildcard") return false;
  const want = f.uri.split(".");
  const got = uri.split(".");
  if (want.length !== got.length) return false;
  return want.every((w, i) => w === "" || w === got[i]);
}

/**
 * Whether some URI could match both the pattern and the filter (import interest: a local
 * subscription to "a." under an import filter "a.b." still wants the core's "a.b.*" events).
 */
export function filterIntersects(f: BridgeFilter, uri: string, match: MatchPolicy): boolean {
  if (filterCovers(f, uri, match)) return true;
  if (f.match === "exact") return matchesPattern(f.uri, uri, match);
  if (match === "exact") return filterMatches(f, uri);
  if (f.match === "prefix" && match === "prefix") return f.uri.startsWith(uri) || uri.startsWith(f.uri);
  if (f.match === "wildcard" && match === "wildcard") {
    const a = f.uri.split(".");
    const b = uri.split(".");
    return a.length === b.length && a.every((x, i) => x === "" || b[i] === "" || x === b[i]);
  }
  // prefix against wildcard (either way round): the wildcard's fixed leading part and the
  // prefix must agree as far as both go; a conservative answer is fine (it only costs an
  // unneeded subscription on the core, never a missed event).
  const [prefix, wild] = f.match === "prefix" ? [f.uri, uri] : [uri, f.uri];
  const lead = concretePrefix(wild, "wildcard");
  return lead.startsWith(prefix) || prefix.startsWith(lead);
}

/** The fixed leading text every URI of the pattern starts with. */
function concretePrefix(uri: string, match: MatchPolicy): string {
  if (match !== "wildcard") return uri;
  const parts = uri.split(".");
  const i = parts.indexOf("");
  if (i < 0) return uri;
  return parts.slice(0, i).join(".") + (i > 0 ? "." : "");
}

/** Checks a filter from configuration; throws naming the problem. */
export function checkFilter(f: unknown, where: string): BridgeFilter {
  const o = f as { uri?: unknown; match?: unknown };
  if (typeof o !== "object" || o === null || typeof o.uri !== "string" || o.uri === "") {
    throw new Error(`${where}: a filter needs a non-empty "uri"`);
  }
  const match = o.match ?? "exact";
  if (match !== "exact" && match !== "prefix" && match !== "wildcard") {
    throw new Error(`${where}: filter "${o.uri}" has match ${JSON.stringify(match)}; use "exact", "prefix" or "wildcard"`);
  }
  return { uri: o.uri, match };
}
