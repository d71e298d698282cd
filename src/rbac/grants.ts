import type { GrantRecord, Permission, Principal } from "../store/security_records.ts";

export const PERMISSIONS: readonly Permission[] = [
  "wamp.register", "wamp.unregister", "wamp.call", "wamp.cancel", "wamp.subscribe", "wamp.unsubscribe",
  "wamp.publish", "wamp.disclose_caller", "wamp.disclose_publisher",
];

/**
 * What is wrong with a grant before it is stored, or undefined (admin API validation; the
 * config schema checks the same for seeded grants). Grants to unknown users or groups are
 * allowed: a grant may be written before its principal.
 */
export function validateGrant(g: Pick<GrantRecord, "permissions" | "resource" | "to">): string | undefined {
  if (!Array.isArray(g.permissions) || g.permissions.length === 0) return "a grant needs at least one permission";
  for (const p of g.permissions) {
    if (!PERMISSIONS.includes(p)) return `unknown permission "${p}"; expected one of ${PERMISSIONS.join(", ")}`;
  }
  if (g.resource !== "any") {
    if (typeof g.resource?.uri !== "string" || g.resource.uri === "") return 'a grant\'s resource needs a URI (or "any")';
    if (!["exact", "prefix", "wildcard"].includes(g.resource.match)) return `unknown match policy "${g.resource.match}"; expected exact, prefix or wildcard`;
  }
  return validatePrincipal(g.to);
}

export function validatePrincipal(to: Principal): string | undefined {
  switch (to?.kind) {
    case "all": case "anonymous": return undefined;
    case "user": return to.authid ? undefined : "a user principal needs an authid";
    case "group": return to.name ? undefined : "a group principal needs a name";
    default: return 'a principal is a user, a group, "all" or "anonymous"';
  }
}
