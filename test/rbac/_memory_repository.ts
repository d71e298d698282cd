// A minimal in-memory SecurityRepository for rbac unit tests (independent of src/store's
// implementation, so these tests exercise rbac alone).
import type {
  GrantRecord, GroupRecord, Principal, RealmSecurityRecord, SecurityChange, SecurityRepository, SourceRecord, UserRecord,
} from "../../src/store/security_records.ts";

export function memoryRepository(): SecurityRepository {
  const realms = new Map<string, RealmSecurityRecord>();
  const users = new Map<string, Map<string, UserRecord>>();
  const groups = new Map<string, Map<string, GroupRecord>>();
  const grants = new Map<string, GrantRecord[]>();
  const sources = new Map<string, SourceRecord[]>();
  const listeners = new Set<(c: SecurityChange) => void>();
  let nextGrant = 1;
  const emit = (c: SecurityChange) => { for (const l of listeners) l(c); };
  const of = <T>(m: Map<string, Map<string, T>>, realm: string) => {
    let x = m.get(realm);
    if (!x) m.set(realm, x = new Map());
    return x;
  };
  const same = (a: Principal, b: Principal) => JSON.stringify(a) === JSON.stringify(b);
  return {
    realms: () => [...realms.values()],
    realm: (uri) => realms.get(uri),
    putRealm(r) { realms.set(r.uri, r); emit({ kind: "realm", realm: r.uri }); },
    deleteRealm(uri) { const ok = realms.delete(uri); if (ok) emit({ kind: "realm", realm: uri }); return ok; },
    users: (realm) => [...of(users, realm).values()],
    user: (realm, authid) => of(users, realm).get(authid),
    putUser(realm, u) { of(users, realm).set(u.authid, u); emit({ kind: "user", realm, authid: u.authid }); },
    deleteUser(realm, authid) { const ok = of(users, realm).delete(authid); if (ok) emit({ kind: "user", realm, authid }); return ok; },
    groups: (realm) => [...of(groups, realm).values()],
    group: (realm, name) => of(groups, realm).get(name),
    putGroup(realm, g) { of(groups, realm).set(g.name, g); emit({ kind: "group", realm, name: g.name }); },
    deleteGroup(realm, name) { const ok = of(groups, realm).delete(name); if (ok) emit({ kind: "group", realm, name }); return ok; },
    grants: (realm) => [...(grants.get(realm) ?? [])],
    putGrant(realm, g) {
      const stored = { ...g, id: g.id || `g${nextGrant++}` };
      grants.set(realm, [...(grants.get(realm) ?? []).filter((x) => x.id !== stored.id), stored]);
      emit({ kind: "grant", realm });
      return stored;
    },
    deleteGrant(realm, id) {
      const list = grants.get(realm) ?? [];
      const rest = list.filter((g) => g.id !== id);
      grants.set(realm, rest);
      if (rest.length !== list.length) emit({ kind: "grant", realm });
      return rest.length !== list.length;
    },
    sources: (realm) => [...(sources.get(realm) ?? [])],
    putSource(realm, s) {
      sources.set(realm, [...(sources.get(realm) ?? []).filter((x) => !(x.cidr === s.cidr && same(x.to, s.to))), s]);
      emit({ kind: "source", realm });
    },
    deleteSource(realm, cidr, to) {
      const list = sources.get(realm) ?? [];
      const rest = list.filter((x) => !(x.cidr === cidr && same(x.to, to)));
      sources.set(realm, rest);
      if (rest.length !== list.length) emit({ kind: "source", realm });
      return rest.length !== list.length;
    },
    onChange(l) { listeners.add(l); return () => listeners.delete(l); },
  };
}

export function realmRecord(uri: string, over: Partial<RealmSecurityRecord> = {}): RealmSecurityRecord {
  return { uri, isPrototype: false, authmethods: ["anonymous", "ticket", "wampcra", "cryptosign"], securityEnabled: true, allowConnections: true, ...over };
}

export function user(authid: string, groups: string[] = [], over: Partial<UserRecord> = {}): UserRecord {
  return { authid, groups, enabled: true, meta: {}, credentials: {}, ...over };
}
