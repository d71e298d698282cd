import type {
  GrantRecord, GroupRecord, RealmSecurityRecord, SecurityRepository, SourceRecord,
} from "../store/security_records.ts";

/**
 * A realm's effective security state: its own records merged with those of its prototype
 * chain (issue 4: "a realm inherits authmethods, groups, sources and grants from its
 * prototype"). The realm's own values win where both define one:
 * - authmethods: the realm's own list, or the prototype's when the realm's is empty;
 * - groups: by name, the realm's own definition replaces the prototype's;
 * - grants: the union (grants only ever add permissions);
 * - sources: the union, the realm's own source replacing a prototype's for the same
 *   (cidr, principal).
 * Users are never inherited: a user belongs to one realm. `securityEnabled` and
 * `allowConnections` are the realm's own.
 */
export interface RealmView {
  record: RealmSecurityRecord;
  authmethods: string[];
  groups: Map<string, GroupRecord>;
  grants: GrantRecord[];
  sources: SourceRecord[];
}

/** Prototype chains longer than this are refused as misconfiguration (and stop loops). */
const MAX_PROTOTYPE_DEPTH = 8;

export function effectiveRealm(repo: SecurityRepository, uri: string): RealmView | undefined {
  const record = repo.realm(uri);
  if (!record) return undefined;
  // The chain from the most distant prototype down to the realm itself.
  const chain: RealmSecurityRecord[] = [record];
  const seen = new Set([uri]);
  for (let r = record; r.prototype && chain.length <= MAX_PROTOTYPE_DEPTH;) {
    if (seen.has(r.prototype)) break; // a prototype cycle: stop rather than loop
    const proto = repo.realm(r.prototype);
    if (!proto) break;
    seen.add(proto.uri);
    chain.unshift(proto);
    r = proto;
  }
  let authmethods: string[] = [];
  const groups = new Map<string, GroupRecord>();
  const grants: GrantRecord[] = [];
  const sources = new Map<string, SourceRecord>();
  for (const r of chain) {
    if (r.authmethods.length > 0) authmethods = r.authmethods;
    for (const g of repo.groups(r.uri)) groups.set(g.name, g);
    grants.push(...repo.grants(r.uri));
    for (const s of repo.sources(r.uri)) sources.set(`${s.cidr} ${principalKey(s.to)}`, s);
  }
  return { record, authmethods, groups, grants, sources: [...sources.values()] };
}

export function principalKey(p: SourceRecord["to"]): string {
  switch (p.kind) {
    case "user": return `user:${p.authid}`;
    case "group": return `group:${p.name}`;
    default: return p.kind;
  }
}
