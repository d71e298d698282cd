import type { Principal, UserRecord } from "../store/security_records.ts";
import { expandGroups } from "./groups.ts";
import type { RealmView } from "./realm_view.ts";

/** Who a session is, as the router knows it (a subset of AuthIdentity). */
export interface SessionIdentity {
  authid: string;
  authrole: string;
  /** "anonymous" makes the session the `anonymous` principal (and nothing else). */
  authmethod?: string;
}

/** The principals a session or a would-be session counts as. */
export interface Principals {
  anonymous: boolean;
  authid?: string;
  /** Direct and nested groups (expanded). */
  groups: Set<string>;
  /** The user record exists and is disabled: nothing is granted. */
  disabled: boolean;
}

export function anonymousPrincipals(): Principals {
  return { anonymous: true, groups: new Set(), disabled: false };
}

/**
 * A user's principals: its authid, its groups and their nested groups, and its authrole,
 * which counts as a group too (Bondy's model: an authrole names a group), so sessions of
 * users without a record (e.g. authenticated by an external provider) can still be granted
 * by role.
 */
export function userPrincipals(view: RealmView, authid: string, user: UserRecord | undefined, authrole?: string): Principals {
  const direct = [...(user?.groups ?? [])];
  if (authrole) direct.push(authrole);
  return { anonymous: false, authid, groups: expandGroups(view.groups, direct), disabled: user?.enabled === false };
}

/**
 * Whether a grant's or source's `to` covers these principals. `all` means every
 * authenticated user; anonymous sessions are covered by `anonymous` only (a grant to `all`
 * must not silently open a realm to unauthenticated clients).
 */
export function covers(to: Principal, p: Principals): boolean {
  switch (to.kind) {
    case "anonymous": return p.anonymous;
    case "all": return !p.anonymous;
    case "user": return !p.anonymous && to.authid === p.authid;
    case "group": return !p.anonymous && p.groups.has(to.name);
  }
}

/** user 3 > group 2 > all/anonymous 1: a tie between equally specific sources goes to the closer principal. */
export function principalRank(to: Principal): number {
  return to.kind === "user" ? 3 : to.kind === "group" ? 2 : 1;
}

export function describePrincipals(p: Principals): string {
  return p.anonymous ? "anonymous" : `authid "${p.authid}"`;
}
