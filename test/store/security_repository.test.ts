// SecurityRepository over a Store: CRUD, grant ids, change events, persistence, cycle refusal.
import { afterEach, describe, expect, test } from "bun:test";
import {
  createMemoryStore, createSecurityRepository, openSqliteStore, type SecurityChange, type Store, type UserRecord,
} from "../../src/store/mod.ts";
import { tempDir } from "./_temp_dir.ts";

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const alice: UserRecord = { authid: "alice", groups: ["ops"], enabled: true, meta: { team: "a" }, credentials: { authorizedKeys: ["ab".repeat(32)] } };
const realm = { uri: "realm1", isPrototype: false, authmethods: ["ticket"], securityEnabled: true, allowConnections: true };

const stores: Array<[string, () => Store]> = [
  ["memory", createMemoryStore],
  ["sqlite", () => {
    const d = tempDir();
    const s = openSqliteStore({ dataDir: d.path });
    cleanups.push(() => {
      s.close();
      d.remove();
    });
    return s;
  }],
];

for (const [name, open] of stores) {
  describe(`security repository on the ${name} store`, () => {
    test("stores, lists, reads and deletes realms and users", () => {
      const repo = createSecurityRepository(open());
      repo.putRealm(realm);
      repo.putUser("realm1", alice);
      repo.putUser("realm1", { ...alice, authid: "bob/with slash" });
      expect(repo.realms()).toEqual([realm]);
      expect(repo.realm("realm1")).toEqual(realm);
      expect(repo.user("realm1", "alice")).toEqual(alice);
      expect(repo.users("realm1").map((u) => u.authid).sort()).toEqual(["alice", "bob/with slash"]);
      expect(repo.users("other")).toEqual([]);
      expect(repo.deleteUser("realm1", "alice")).toBe(true);
      expect(repo.deleteUser("realm1", "alice")).toBe(false);
      expect(repo.user("realm1", "alice")).toBeUndefined();
    });

    test("returned records are frozen copies", () => {
      const repo = createSecurityRepository(open());
      const u = structuredClone(alice);
      repo.putUser("realm1", u);
      u.groups.push("changed");
      const stored = repo.user("realm1", "alice")!;
      expect(stored.groups).toEqual(["ops"]);
      expect(Object.isFrozen(stored) && Object.isFrozen(stored.groups)).toBe(true);
    });

    test("putGrant assigns an id when empty and keeps a given one", () => {
      const repo = createSecurityRepository(open());
      const g = repo.putGrant("realm1", { id: "", permissions: ["wamp.call"], resource: { uri: "com.x.", match: "prefix" }, to: { kind: "all" } });
      expect(g.id.length).toBeGreaterThan(0);
      const h = repo.putGrant("realm1", { id: "fixed", permissions: ["wamp.publish"], resource: "any", to: { kind: "anonymous" } });
      expect(h.id).toBe("fixed");
      expect(repo.grants("realm1").map((x) => x.id).sort()).toEqual([g.id, "fixed"].sort());
      expect(repo.deleteGrant("realm1", g.id)).toBe(true);
      expect(repo.grants("realm1")).toEqual([h]);
    });

    test("groups are stored and a cycle of nested groups is refused", () => {
      const repo = createSecurityRepository(open());
      repo.putGroup("realm1", { name: "a", groups: ["b"], meta: {} });
      repo.putGroup("realm1", { name: "b", groups: ["c"], meta: {} });
      expect(() => repo.putGroup("realm1", { name: "c", groups: ["a"], meta: {} })).toThrow("cycle");
      expect(() => repo.putGroup("realm1", { name: "d", groups: ["d"], meta: {} })).toThrow("cycle");
      expect(repo.group("realm1", "c")).toBeUndefined();
      expect(repo.groups("realm1").map((g) => g.name).sort()).toEqual(["a", "b"]);
      expect(repo.deleteGroup("realm1", "a")).toBe(true);
    });

    test("sources are keyed by CIDR and principal", () => {
      const repo = createSecurityRepository(open());
      repo.putSource("realm1", { cidr: "10.0.0.0/8", authmethods: ["ticket"], to: { kind: "all" } });
      repo.putSource("realm1", { cidr: "10.0.0.0/8", authmethods: ["trust"], to: { kind: "user", authid: "svc" } });
      repo.putSource("realm1", { cidr: "10.0.0.0/8", authmethods: ["wampcra"], to: { kind: "all" } });
      expect(repo.sources("realm1").length).toBe(2);
      expect(repo.deleteSource("realm1", "10.0.0.0/8", { kind: "user", authid: "svc" })).toBe(true);
      expect(repo.sources("realm1")).toEqual([{ cidr: "10.0.0.0/8", authmethods: ["wampcra"], to: { kind: "all" } }]);
    });

    test("onChange fires after each write with what changed", () => {
      const repo = createSecurityRepository(open());
      const seen: SecurityChange[] = [];
      const off = repo.onChange((c) => {
        // The write is visible when the listener runs.
        if (c.kind === "user") expect(repo.user(c.realm, c.authid)).toBeDefined();
        seen.push(c);
      });
      repo.putRealm(realm);
      repo.putUser("realm1", alice);
      repo.putGroup("realm1", { name: "ops", groups: [], meta: {} });
      const g = repo.putGrant("realm1", { id: "", permissions: ["wamp.call"], resource: "any", to: { kind: "all" } });
      repo.putSource("realm1", { cidr: "::1/128", authmethods: ["trust"], to: { kind: "all" } });
      repo.deleteGrant("realm1", g.id);
      repo.deleteGrant("realm1", "missing"); // no change, no event
      off();
      repo.putUser("realm1", { ...alice, authid: "late" });
      expect(seen).toEqual([
        { kind: "realm", realm: "realm1" },
        { kind: "user", realm: "realm1", authid: "alice" },
        { kind: "group", realm: "realm1", name: "ops" },
        { kind: "grant", realm: "realm1" },
        { kind: "source", realm: "realm1" },
        { kind: "grant", realm: "realm1" },
      ]);
    });

    test("deleting a realm deletes everything in it", () => {
      const store = open();
      const repo = createSecurityRepository(store);
      repo.putRealm(realm);
      repo.putUser("realm1", alice);
      repo.putGrant("realm1", { id: "", permissions: ["wamp.call"], resource: "any", to: { kind: "all" } });
      repo.putUser("realm2", alice);
      expect(repo.deleteRealm("realm1")).toBe(true);
      expect(repo.realm("realm1")).toBeUndefined();
      expect(repo.users("realm1")).toEqual([]);
      expect(repo.grants("realm1")).toEqual([]);
      expect(repo.users("realm2").length).toBe(1);
      expect(store.list("sec/").map((e) => e.key)).toEqual(["sec/user/realm2/alice"]);
    });

    test("a new repository over the same store sees every record", () => {
      const store = open();
      const a = createSecurityRepository(store);
      a.putRealm(realm);
      a.putUser("com.example", alice);
      a.putGroup("com.example", { name: "ops", groups: [], meta: { x: 1 } });
      const g = a.putGrant("com.example", { id: "", permissions: ["wamp.subscribe"], resource: { uri: "a..b", match: "wildcard" }, to: { kind: "group", name: "ops" } });
      a.putSource("com.example", { cidr: "0.0.0.0/0", authmethods: ["anonymous"], to: { kind: "anonymous" } });
      const b = createSecurityRepository(store);
      expect(b.realms()).toEqual([realm]);
      expect(b.user("com.example", "alice")).toEqual(alice);
      expect(b.group("com.example", "ops")).toEqual({ name: "ops", groups: [], meta: { x: 1 } });
      expect(b.grants("com.example")).toEqual([g]);
      expect(b.sources("com.example").length).toBe(1);
    });
  });
}

test("security records survive closing and reopening the SQLite store", () => {
  const d = tempDir();
  cleanups.push(d.remove);
  const first = openSqliteStore({ dataDir: d.path });
  createSecurityRepository(first).putUser("realm1", alice);
  first.close();
  const second = openSqliteStore({ dataDir: d.path });
  expect(createSecurityRepository(second).user("realm1", "alice")).toEqual(alice);
  second.close();
});
