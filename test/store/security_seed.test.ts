// The boot-time seed: config security sections → repository, idempotent, secrets derived once.
import { describe, expect, test } from "bun:test";
import { type Config, parseConfig } from "../../src/config.ts";
import { type SeedDerivers, seedSecurity } from "../../src/security_seed.ts";
import { createMemoryStore, createSecurityRepository, type SecurityChange, type Store } from "../../src/store/mod.ts";

function config(security: object, name = "realm1"): Config {
  return parseConfig({ realms: [{ name, security }] }, "test config");
}

/** Fake derivers: deterministic, and they count calls (the real ones are slow on purpose). */
function derivers(): SeedDerivers & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    derivePasswordCredentials(password) {
      calls.push("password");
      return { pbkdf2: { derivedFrom: password.length } };
    },
    deriveTicketCredential(ticket) {
      calls.push("ticket");
      return { hash: { derivedFrom: ticket.length } };
    },
  };
}

const full = {
  enabled: true,
  authmethods: ["ticket", "wampcra"],
  users: [
    { authid: "alice", password: "s3cret", groups: ["ops"], authrole: "admin", meta: { n: 1 } },
    { authid: "bot", tickets: ["t1", "t2"], authorizedKeys: ["AB".repeat(32)], enabled: false },
  ],
  groups: [{ name: "ops", groups: ["staff"] }, { name: "staff" }],
  grants: [
    { permissions: ["wamp.call", "wamp.register"], uri: "com.example.", match: "prefix", to: { group: "ops" } },
    { permissions: ["wamp.subscribe"], uri: "any", to: "anonymous" },
  ],
  sources: [{ cidr: "127.0.0.0/8", authmethods: ["ticket"], to: "all" }],
};

async function seed(store: Store, cfg: Config, d = derivers()) {
  const repo = createSecurityRepository(store);
  await seedSecurity(repo, store, cfg.realms, d);
  return repo;
}

describe("security seed", () => {
  test("writes the realm, groups, users, grants and sources the config lists", async () => {
    const d = derivers();
    const repo = await seed(createMemoryStore(), config(full), d);
    expect(repo.realm("realm1")).toEqual({
      uri: "realm1", isPrototype: false, authmethods: ["ticket", "wampcra"], securityEnabled: true, allowConnections: true,
    });
    expect(repo.groups("realm1").map((g) => g.name).sort()).toEqual(["ops", "staff"]);
    expect(repo.user("realm1", "alice")).toEqual({
      authid: "alice", groups: ["ops"], enabled: true, authrole: "admin", meta: { n: 1 },
      credentials: { password: { pbkdf2: { derivedFrom: 6 } } },
    });
    expect(repo.user("realm1", "bot")).toEqual({
      authid: "bot", groups: [], enabled: false, meta: {},
      credentials: { tickets: [{ hash: { derivedFrom: 2 } }, { hash: { derivedFrom: 2 } }], authorizedKeys: ["ab".repeat(32)] },
    });
    expect(repo.grants("realm1")).toEqual([
      { id: "config-0", permissions: ["wamp.call", "wamp.register"], resource: { uri: "com.example.", match: "prefix" }, to: { kind: "group", name: "ops" } },
      { id: "config-1", permissions: ["wamp.subscribe"], resource: "any", to: { kind: "anonymous" } },
    ]);
    expect(repo.sources("realm1")).toEqual([{ cidr: "127.0.0.0/8", authmethods: ["ticket"], to: { kind: "all" } }]);
    expect(d.calls.sort()).toEqual(["password", "ticket", "ticket"]);
  });

  test("never stores a configured password or ticket in clear", async () => {
    const store = createMemoryStore();
    await seed(store, config(full));
    const everything = JSON.stringify(store.list(""));
    expect(everything.includes("s3cret")).toBe(false);
    expect(everything.includes('"t1"')).toBe(false);
  });

  test("a second boot with the same config writes nothing and derives nothing", async () => {
    const store = createMemoryStore();
    await seed(store, config(full));
    const snapshot = JSON.stringify(store.list(""));
    const d = derivers();
    const repo = createSecurityRepository(store);
    const changes: SecurityChange[] = [];
    repo.onChange((c) => changes.push(c));
    await seedSecurity(repo, store, config(full).realms, d);
    expect(changes).toEqual([]);
    expect(d.calls).toEqual([]);
    expect(JSON.stringify(store.list(""))).toBe(snapshot);
  });

  test("a changed password is derived again; other users keep their credentials", async () => {
    const store = createMemoryStore();
    await seed(store, config(full));
    const changed = structuredClone(full);
    changed.users[0].password = "longer-secret";
    const d = derivers();
    const repo = await seed(store, config(changed), d);
    expect(d.calls).toEqual(["password"]);
    expect(repo.user("realm1", "alice")!.credentials.password).toEqual({ pbkdf2: { derivedFrom: 13 } });
  });

  test("wampcraSalted: false asks for the unsalted wampcra key; turning it on or off derives again", async () => {
    const store = createMemoryStore();
    const seen: unknown[] = [];
    const d = { ...derivers(), derivePasswordCredentials: (_pw: string, o?: { craUnsalted?: boolean }) => (seen.push(o), { cra: { unsalted: !!o?.craUnsalted } }) };
    const unsalted = structuredClone(full) as typeof full & { users: Record<string, unknown>[] };
    unsalted.users[0].wampcraSalted = false;
    let repo = await seed(store, config(unsalted), d);
    expect(repo.user("realm1", "alice")!.credentials.password).toEqual({ cra: { unsalted: true } });
    await seed(store, config(unsalted), d);
    expect(seen).toEqual([{ craUnsalted: true }]);
    repo = await seed(store, config(full), d);
    expect(seen).toEqual([{ craUnsalted: true }, {}]);
    expect(repo.user("realm1", "alice")!.credentials.password).toEqual({ cra: { unsalted: false } });
  });

  test("config wins over an admin change to a user it lists, and keeps users it does not list", async () => {
    const store = createMemoryStore();
    const repo = await seed(store, config(full));
    repo.putUser("realm1", { ...repo.user("realm1", "alice")!, enabled: false, credentials: { password: { pbkdf2: { other: true } } } });
    repo.putUser("realm1", { authid: "added-later", groups: [], enabled: true, meta: {}, credentials: {} });
    const d = derivers();
    const again = await seed(store, config(full), d);
    expect(again.user("realm1", "alice")!.enabled).toBe(true);
    expect(again.user("realm1", "alice")!.credentials.password).toEqual({ pbkdf2: { derivedFrom: 6 } });
    expect(d.calls).toEqual(["password"]);
    expect(again.user("realm1", "added-later")).toBeDefined();
  });

  test("what an earlier config seeded and the new one drops is removed", async () => {
    const store = createMemoryStore();
    const first = await seed(store, config(full));
    first.putGrant("realm1", { id: "", permissions: ["wamp.publish"], resource: "any", to: { kind: "all" } });
    const repo = await seed(store, config({ enabled: true, users: [{ authid: "alice", password: "s3cret", groups: ["ops"] }], groups: [{ name: "ops" }] }));
    expect(repo.users("realm1").map((u) => u.authid)).toEqual(["alice"]);
    expect(repo.groups("realm1").map((g) => g.name)).toEqual(["ops"]);
    expect(repo.grants("realm1").map((g) => g.permissions)).toEqual([["wamp.publish"]]); // the admin's grant stays
    expect(repo.sources("realm1")).toEqual([]);
  });

  test("the embedded default seeds realm1 with security disabled", async () => {
    const repo = await seed(createMemoryStore(), parseConfig({}, "embedded default"));
    expect(repo.realm("realm1")!.securityEnabled).toBe(false);
    expect(repo.users("realm1")).toEqual([]);
  });

  test("a prototype realm and its child are both seeded", async () => {
    const cfg = parseConfig({
      realms: [
        { name: "proto", security: { isPrototype: true, grants: [{ permissions: ["wamp.call"], uri: "any", to: "all" }] } },
        { name: "child", security: { enabled: true, prototype: "proto" } },
      ],
    }, "test config");
    const repo = createSecurityRepository(createMemoryStore());
    await seedSecurity(repo, createMemoryStore(), cfg.realms, derivers());
    expect(repo.realm("proto")!.isPrototype).toBe(true);
    expect(repo.realm("child")!.prototype).toBe("proto");
    expect(repo.realm("child")!.authmethods).toEqual([]); // inherits the prototype's
    expect(repo.realm("proto")!.authmethods).toEqual(["anonymous", "password", "ticket", "wampcra", "cryptosign", "wamp-scram"]);
    expect(repo.grants("proto").length).toBe(1);
  });
});
