/**
 * Matches URIs against exact, prefix and wildcard patterns (WAMP "Pattern-based Subscription"
 * and "Pattern-based Registration"). One value per (pattern, policy); the dealer and broker
 * keep their registration/subscription objects as the values.
 *
 * Lookup cost depends on the URI's length, never on how many patterns are stored:
 * - exact: one Map lookup;
 * - prefix: a walk down a character trie along the URI (prefix matching is on the raw string:
 *   "com.a" matches "com.a-b" and "com.a.b");
 * - wildcard: a walk down a component trie, trying the concrete component before the wildcard
 *   at each level (only when wildcard patterns exist, so exact-only realms never split URIs).
 */
export type MatchPolicy = "exact" | "prefix" | "wildcard";

const BEST_CACHE_MAX = 10_000;

export interface Match<T> {
  value: T;
  match: MatchPolicy;
  pattern: string;
}

interface CharNode<T> {
  children: Map<number, CharNode<T>>;
  value?: T;
  pattern?: string;
}

interface ComponentNode<T> {
  children: Map<string, ComponentNode<T>>;
  wild?: ComponentNode<T>;
  /** Patterns that end at this depth. */
  value?: T;
  pattern?: string;
}

export class UriMatcher<T> {
  private readonly exact = new Map<string, T>();
  private readonly prefixRoot: CharNode<T> = { children: new Map() };
  private readonly prefixes = new Map<string, T>();
  private readonly wildRoot: ComponentNode<T> = { children: new Map() };
  private readonly wildcards = new Map<string, T>();
  /**
   * best() results for URIs that have no exact entry (a prefix/wildcard match, or null for
   * none), so a pattern-routed call repeats one Map lookup instead of a trie walk, a split and
   * an allocation. Any prefix or wildcard change clears it (exact entries are looked up
   * before it, so they need not); bounded so random URIs cannot grow it without limit.
   */
  private readonly bestCache = new Map<string, Match<T> | null>();

  get size(): number {
    return this.exact.size + this.prefixes.size + this.wildcards.size;
  }

  get(pattern: string, match: MatchPolicy): T | undefined {
    return this.table(match).get(pattern);
  }

  /** Stores `value` for (pattern, match), replacing any previous value. */
  set(pattern: string, match: MatchPolicy, value: T): void {
    this.table(match).set(pattern, value);
    if (match !== "exact") this.bestCache.clear();
    if (match === "prefix") {
      const node = this.charPath(pattern, true)!;
      node.value = value;
      node.pattern = pattern;
    } else if (match === "wildcard") {
      const node = this.componentPath(pattern, true)!;
      node.value = value;
      node.pattern = pattern;
    }
  }

  delete(pattern: string, match: MatchPolicy): boolean {
    if (!this.table(match).delete(pattern)) return false;
    if (match !== "exact") this.bestCache.clear();
    if (match === "prefix") this.prune(this.prefixRoot, pattern, 0);
    else if (match === "wildcard") this.pruneComponents(this.wildRoot, pattern.split("."), 0);
    return true;
  }

  /**
   * The one pattern a call to `uri` is routed to: exact, else the longest prefix, else the
   * wildcard pattern with the longest concrete run before each wildcard (spec "Calls matching
   * multiple registrations").
   */
  best(uri: string): Match<T> | undefined {
    const e = this.exact.get(uri);
    if (e !== undefined) return { value: e, match: "exact", pattern: uri };
    if (this.prefixes.size === 0 && this.wildcards.size === 0) return undefined;
    const cached = this.bestCache.get(uri);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.bestPattern(uri);
    if (this.bestCache.size >= BEST_CACHE_MAX) this.bestCache.clear();
    this.bestCache.set(uri, found ?? null);
    return found;
  }

  /** best() without an exact entry and without the cache. */
  private bestPattern(uri: string): Match<T> | undefined {
    if (this.prefixes.size > 0) {
      let node: CharNode<T> | undefined = this.prefixRoot;
      let found: CharNode<T> | undefined;
      for (let i = 0; i < uri.length && node; i++) {
        node = node.children.get(uri.charCodeAt(i));
        if (node?.value !== undefined) found = node;
      }
      if (found) return { value: found.value!, match: "prefix", pattern: found.pattern! };
    }
    if (this.wildcards.size > 0) {
      const node = bestWildcard(this.wildRoot, uri.split("."), 0);
      if (node) return { value: node.value!, match: "wildcard", pattern: node.pattern! };
    }
    return undefined;
  }

  /** Every pattern `uri` matches (a publication reaches all matching subscriptions). */
  all(uri: string, visit: (m: Match<T>) => void): void {
    const e = this.exact.get(uri);
    if (e !== undefined) visit({ value: e, match: "exact", pattern: uri });
    if (this.prefixes.size > 0) {
      let node: CharNode<T> | undefined = this.prefixRoot;
      for (let i = 0; i < uri.length && node; i++) {
        node = node.children.get(uri.charCodeAt(i));
        if (node?.value !== undefined) visit({ value: node.value, match: "prefix", pattern: node.pattern! });
      }
    }
    if (this.wildcards.size > 0) allWildcards(this.wildRoot, uri.split("."), 0, visit);
  }

  /** Every stored (pattern, match, value), e.g. for the meta API's list procedures. */
  *entries(): IterableIterator<Match<T>> {
    for (const [pattern, value] of this.exact) yield { value, match: "exact", pattern };
    for (const [pattern, value] of this.prefixes) yield { value, match: "prefix", pattern };
    for (const [pattern, value] of this.wildcards) yield { value, match: "wildcard", pattern };
  }

  private table(match: MatchPolicy): Map<string, T> {
    return match === "exact" ? this.exact : match === "prefix" ? this.prefixes : this.wildcards;
  }

  private charPath(pattern: string, create: boolean): CharNode<T> | undefined {
    let node = this.prefixRoot;
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern.charCodeAt(i);
      let next = node.children.get(c);
      if (!next) {
        if (!create) return undefined;
        next = { children: new Map() };
        node.children.set(c, next);
      }
      node = next;
    }
    return node;
  }

  private componentPath(pattern: string, create: boolean): ComponentNode<T> | undefined {
    let node = this.wildRoot;
    for (const part of pattern.split(".")) {
      let next = part === "" ? node.wild : node.children.get(part);
      if (!next) {
        if (!create) return undefined;
        next = { children: new Map() };
        if (part === "") node.wild = next;
        else node.children.set(part, next);
      }
      node = next;
    }
    return node;
  }

  /** Removes the value at `pattern` and any nodes left empty. Returns true when `node` is empty. */
  private prune(node: CharNode<T>, pattern: string, i: number): boolean {
    if (i === pattern.length) {
      node.value = undefined;
      node.pattern = undefined;
    } else {
      const c = pattern.charCodeAt(i);
      const child = node.children.get(c);
      if (child && this.prune(child, pattern, i + 1)) node.children.delete(c);
    }
    return node.value === undefined && node.children.size === 0;
  }

  private pruneComponents(node: ComponentNode<T>, parts: string[], i: number): boolean {
    if (i === parts.length) {
      node.value = undefined;
      node.pattern = undefined;
    } else {
      const part = parts[i];
      const child = part === "" ? node.wild : node.children.get(part);
      if (child && this.pruneComponents(child, parts, i + 1)) {
        if (part === "") node.wild = undefined;
        else node.children.delete(part);
      }
    }
    return node.value === undefined && node.children.size === 0 && !node.wild;
  }
}

// Concrete components are tried before the wildcard at every level, so the first pattern
// found has the longest concrete run before each wildcard.
function bestWildcard<T>(node: ComponentNode<T>, parts: string[], i: number): ComponentNode<T> | undefined {
  if (i === parts.length) return node.value !== undefined ? node : undefined;
  const child = node.children.get(parts[i]);
  const viaChild = child && bestWildcard(child, parts, i + 1);
  if (viaChild) return viaChild;
  return node.wild && bestWildcard(node.wild, parts, i + 1);
}

function allWildcards<T>(node: ComponentNode<T>, parts: string[], i: number, visit: (m: Match<T>) => void): void {
  if (i === parts.length) {
    if (node.value !== undefined) visit({ value: node.value, match: "wildcard", pattern: node.pattern! });
    return;
  }
  const child = node.children.get(parts[i]);
  if (child) allWildcards(child, parts, i + 1, visit);
  if (node.wild) allWildcards(node.wild, parts, i + 1, visit);
}
