import type { GrantRecord, Permission, UserRecord } from "../store/security_records.ts";
import { anonymousPrincipals, covers, describePrincipals, type Principals, type SessionIdentity, userPrincipals } from "./principals.ts";
import type { RealmView } from "./realm_view.ts";
import { matchesPattern } from "../wamp/uri.ts";

export type Decision = { allowed: true } | { allowed: false; reason: string };

const ALLOWED: Decision = Object.freeze({ allowed: true }) as Decision;

/**
 * One realm's authorization policy over its effective security state (prototype included).
 * Built from a snapshot: rbac.ts drops it on every SecurityChange and builds a new one.
 * Grants are indexed by permission so a decision scans only the grants that could apply.
 */
export class RealmPolicy {
  private readonly byPermission = new Map<Permission, GrantRecord[]>();

  constructor(
    readonly view: RealmView | undefined,
    private readonly lookupUser: (authid: string) => UserRecord | undefined,
  ) {
    for (const g of view?.grants ?? []) {
      for (const p of g.permissions) {
        let list = this.byPermission.get(p);
        if (!list) this.byPermission.set(p, list = []);
        list.push(g);
      }
    }
  }

  /** Security is on for this realm (a realm unknown to the repository has it off). */
  get enabled(): boolean {
    return this.view?.record.securityEnabled === true;
  }

  principals(identity: SessionIdentity): Principals {
    if (identity.authmethod === "anonymous" || !this.view) return anonymousPrincipals();
    return userPrincipals(this.view, identity.authid, this.lookupUser(identity.authid), identity.authrole);
  }

  /**
   * May `identity` do `permission` on `uri`? Always allowed when security is off. Denials
   * carry a reason naming the permission, the URI and the principal (sent to the client in
   * ERROR wamp.error.not_authorized; it reveals nothing the client does not already know).
   */
  authorize(identity: SessionIdentity, permission: Permission, uri: string): Decision {
    if (!this.enabled) return ALLOWED;
    return this.decide(this.principals(identity), permission, uri);
  }

  decide(p: Principals, permission: Permission, uri: string): Decision {
    if (!this.enabled) return ALLOWED;
    if (p.disabled) return { allowed: false, reason: `${describePrincipals(p)} is disabled` };
    for (const g of this.byPermission.get(permission) ?? []) {
      if (!covers(g.to, p)) continue;
      if (g.resource === "any" || matchesPattern(uri, g.resource.uri, g.resource.match)) return ALLOWED;
    }
    return { allowed: false, reason: `permission ${permission} on "${uri}" is not granted to ${describePrincipals(p)}` };
  }
}
