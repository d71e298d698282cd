import type {
  GrantRecord, GroupRecord, Principal, RealmSecurityRecord, SecurityChange, SecurityRepository, SourceRecord,
  UserRecord,
} from "./security_records.ts";
import type { Store, StoreOp } from "./store.ts";

/**
 * Key layout (components URI-encoded, so realm names and authids may hold any character):
 *   sec/realm/<realm>                       RealmSecurityRecord
 *   sec/user/<realm>/<authid>               UserRecord
 *   sec/group/<realm>/<name>                GroupRecord
 *   sec/grant/<realm>/<id>                  GrantRecord
 *   sec/source/<realm>/<cidr>/<principal>   SourceRecord
 */
const enc = encodeURIComponent;
const K = {
  realm: (r: string) => `sec/realm/${enc(r)}`,
  user: (r: string, id: string) => `sec/user/${enc(r)}/${enc(id)}`,
  group: (r: string, n: string) => `sec/group/${enc(r)}/${enc(n)}`,
  grant: (r: string, id: string) => `sec/grant/${enc(r)}/${enc(id)}`,
  source: (r: string, cidr: string, to: Principal) => `sec/source/${enc(r)}/${enc(cidr)}/${enc(principalKey(to))}`,
};
type Kind = "user" | "group" | "grant" | "source";

/** A principal as a stable string: "user:alice", "group:admins", "all", "anonymous". */
export function principalKey(p: Principal): string {
  switch (p.kind) {
    case "user": return `user:${p.authid}`;
    case "group": return `group:${p.name}`;
    default: return p.kind;
  }
}

/** Thrown for a write the security model refuses (e.g. a group cycle). */
export class SecurityRepositoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecurityRepositoryError";
  }
}

/**
 * SecurityRepository over a Store. Every record is read once at construction and cached in
 * memory; writes go to the store first (durable when `put`/`batch` returns), then to the cache,
 * then to the onChange listeners. Reads never touch the store. Returned records are frozen:
 * copy one to change it and write it back with put*.
 */
export function createSecurityRepository(store: Store): SecurityRepository {
  const realms = new Map<string, RealmSecurityRecord>();
  // kind → realm → record key (within the realm) → record
  const tables: Record<Kind, Map<string, Map<string, unknown>>> = {
    user: new Map(), group: new Map(), grant: new Map(), source: new Map(),
  };
  const listeners = new Set<(c: SecurityChange) => void>();

  for (const { key, value } of store.list<RealmSecurityRecord>("sec/realm/")) realms.set(decodeURIComponent(key.slice(10)), freeze(value));
  for (const kind of Object.keys(tables) as Kind[]) {
    const prefix = `sec/${kind}/`;
    for (const { key, value } of store.list(prefix)) {
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf("/");
      cache(kind, decodeURIComponent(rest.slice(0, slash)), rest.slice(slash + 1), value);
    }
  }

  function table(kind: Kind, realm: string): Map<string, unknown> {
    let t = tables[kind].get(realm);
    if (!t) tables[kind].set(realm, t = new Map());
    return t;
  }
  function cache(kind: Kind, realm: string, id: string, value: unknown): void {
    table(kind, realm).set(id, freeze(value));
  }
  function values<T>(kind: Kind, realm: string): T[] {
    return [...(tables[kind].get(realm)?.values() ?? [])] as T[];
  }
  function emit(change: SecurityChange): void {
    for (const l of [...listeners]) {
      // A failing listener must not undo or hide a write that is already durable.
      try {
        l(change);
      } catch { /* listener bugs are theirs */ }
    }
  }
  /** Persists, caches, then tells the listeners. */
  function write(kind: Kind, realm: string, key: string, value: unknown, change: SecurityChange): void {
    store.put(key, value);
    cache(kind, realm, lastPart(key), value);
    emit(change);
  }
  /** Deletes and tells the listeners; false (and no event) when there was nothing to delete. */
  function remove(kind: Kind, realm: string, key: string, change: SecurityChange): boolean {
    const t = tables[kind].get(realm);
    const id = lastPart(key);
    if (!t?.has(id)) return false;
    store.delete(key);
    t.delete(id);
    emit(change);
    return true;
  }
  function refuseCycle(realm: string, g: GroupRecord): void {
    // Walk g's nested groups as they would be after the write; reaching g again is a cycle.
    const seen = new Set<string>();
    const stack = [...g.groups];
    while (stack.length) {
      const name = stack.pop()!;
      if (name === g.name) throw new SecurityRepositoryError(`Group "${g.name}" in realm "${realm}" would contain itself (through "${[...seen].join('", "') || g.name}"); nested groups may not form a cycle`);
      if (seen.has(name)) continue;
      seen.add(name);
      const nested = (table("group", realm).get(enc(name)) as GroupRecord | undefined)?.groups ?? [];
      stack.push(...nested);
    }
  }

  return {
    realms: () => [...realms.values()],
    realm: (uri) => realms.get(uri),
    putRealm(r) {
      store.put(K.realm(r.uri), r);
      realms.set(r.uri, freeze(r));
      emit({ kind: "realm", realm: r.uri });
    },
    deleteRealm(uri) {
      const kinds = Object.keys(tables) as Kind[];
      if (!realms.has(uri) && !kinds.some((k) => tables[k].get(uri)?.size)) return false;
      // The realm goes with everything in it, atomically.
      const ops: StoreOp[] = [{ op: "delete", key: K.realm(uri) }];
      for (const kind of Object.keys(tables) as Kind[]) {
        for (const id of tables[kind].get(uri)?.keys() ?? []) ops.push({ op: "delete", key: `sec/${kind}/${enc(uri)}/${id}` });
      }
      store.batch(ops);
      realms.delete(uri);
      for (const kind of Object.keys(tables) as Kind[]) tables[kind].delete(uri);
      emit({ kind: "realm", realm: uri });
      return true;
    },

    users: (realm) => values<UserRecord>("user", realm),
    user: (realm, authid) => tables.user.get(realm)?.get(enc(authid)) as UserRecord | undefined,
    putUser(realm, u) {
      write("user", realm, K.user(realm, u.authid), u, { kind: "user", realm, authid: u.authid });
    },
    deleteUser(realm, authid) {
      return remove("user", realm, K.user(realm, authid), { kind: "user", realm, authid });
    },

    groups: (realm) => values<GroupRecord>("group", realm),
    group: (realm, name) => tables.group.get(realm)?.get(enc(name)) as GroupRecord | undefined,
    putGroup(realm, g) {
      refuseCycle(realm, g);
      write("group", realm, K.group(realm, g.name), g, { kind: "group", realm, name: g.name });
    },
    deleteGroup(realm, name) {
      return remove("group", realm, K.group(realm, name), { kind: "group", realm, name });
    },

    grants: (realm) => values<GrantRecord>("grant", realm),
    putGrant(realm, g) {
      const stored: GrantRecord = { ...g, id: g.id || crypto.randomUUID() };
      write("grant", realm, K.grant(realm, stored.id), stored, { kind: "grant", realm });
      return table("grant", realm).get(enc(stored.id)) as GrantRecord;
    },
    deleteGrant(realm, id) {
      return remove("grant", realm, K.grant(realm, id), { kind: "grant", realm });
    },

    sources: (realm) => values<SourceRecord>("source", realm),
    putSource(realm, s) {
      write("source", realm, K.source(realm, s.cidr, s.to), s, { kind: "source", realm });
    },
    deleteSource(realm, cidr, to) {
      return remove("source", realm, K.source(realm, cidr, to), { kind: "source", realm });
    },

    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The record's id inside its realm: everything after the realm component of the key. */
function lastPart(key: string): string {
  // sec/<kind>/<realm>/<id...>
  const afterKind = key.indexOf("/", 4) + 1;
  const afterRealm = key.indexOf("/", afterKind) + 1;
  return key.slice(afterRealm);
}

function freeze<T>(value: T): T {
  const copy = structuredClone(value);
  const deep = (v: unknown): void => {
    if (v && typeof v === "object" && !Object.isFrozen(v)) {
      Object.freeze(v);
      for (const x of Object.values(v)) deep(x);
    }
  };
  deep(copy);
  return copy;
}
