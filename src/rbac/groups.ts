import type { GroupRecord, SecurityRepository, UserRecord } from "../store/security_records.ts";
import { effectiveRealm } from "./realm_view.ts";

/** Names with a fixed meaning in grants and sources; no group may be defined with them. */
export const RESERVED_GROUPS: ReadonlySet<string> = new Set(["all", "anonymous"]);

/**
 * `start` and every group reachable from it through nested groups. Unknown names are kept
 * (a grant to a group that is not defined yet still applies to its declared members); a cycle
 * that slipped past validation ends the walk instead of looping.
 */
export function expandGroups(groups: Map<string, GroupRecord>, start: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const stack = [...start];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (out.has(name)) continue;
    out.add(name);
    const g = groups.get(name);
    if (g) for (const n of g.groups) if (!out.has(n)) stack.push(n);
  }
  return out;
}

/**
 * The cycle writing `candidate` would create, as a path ["a", "b", "a"], or undefined.
 * `groups` is the realm's current (effective) groups; `candidate` replaces its namesake.
 */
export function groupCycle(groups: Map<string, GroupRecord>, candidate: GroupRecord): string[] | undefined {
  const lookup = new Map(groups);
  lookup.set(candidate.name, candidate);
  // Depth-first from the candidate: a path back to it is the cycle (any other cycle already
  // existed and is not this write's fault, but the walk still terminates on it).
  const path: string[] = [candidate.name];
  const done = new Set<string>();
  const visit = (name: string): boolean => {
    for (const next of lookup.get(name)?.groups ?? []) {
      if (next === candidate.name) {
        path.push(next);
        return true;
      }
      if (done.has(next) || path.includes(next)) continue;
      path.push(next);
      if (visit(next)) return true;
      path.pop();
      done.add(next);
    }
    return false;
  };
  return visit(candidate.name) ? path : undefined;
}

/**
 * What is wrong with writing group `g` to `realm`, or undefined when it may be written.
 * The admin API calls this before SecurityRepository.putGroup: reserved names, unknown
 * nested groups and cycles are refused with a message naming the offending group.
 */
export function validateGroup(repo: SecurityRepository, realm: string, g: GroupRecord): string | undefined {
  if (RESERVED_GROUPS.has(g.name)) return `group name "${g.name}" is reserved`;
  if (g.name === "") return "group name must not be empty";
  const groups = effectiveRealm(repo, realm)?.groups ?? new Map(repo.groups(realm).map((x) => [x.name, x]));
  for (const n of g.groups) {
    if (n === g.name) return `group "${g.name}" cannot contain itself`;
    if (!groups.has(n)) return `group "${g.name}" refers to unknown group "${n}"`;
  }
  const cycle = groupCycle(groups, g);
  if (cycle) return `group "${g.name}" would create a cycle: ${cycle.join(" → ")}`;
  return undefined;
}

/** What is wrong with a user's group list in `realm` (unknown groups), or undefined. */
export function validateUserGroups(repo: SecurityRepository, realm: string, u: Pick<UserRecord, "authid" | "groups">): string | undefined {
  const groups = effectiveRealm(repo, realm)?.groups ?? new Map(repo.groups(realm).map((x) => [x.name, x]));
  for (const n of u.groups) {
    if (n === "all") continue; // every user is in "all" anyway
    if (n === "anonymous") return `user "${u.authid}" cannot be put in the reserved group "anonymous"`;
    if (!groups.has(n)) return `user "${u.authid}" refers to unknown group "${n}"`;
  }
  return undefined;
}
