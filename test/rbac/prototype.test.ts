import { describe, expect, test } from "bun:test";
import { createRbac, effectiveRealm } from "../../src/rbac/mod.ts";
import { memoryRepository, realmRecord, user } from "./_memory_repository.ts";

describe("prototype realms", () => {
  function setup() {
    const repo = memoryRepository();
    repo.putRealm(realmRecord("proto", { isPrototype: true, authmethods: ["ticket", "cryptosign"] }));
    repo.putRealm(realmRecord("app", { prototype: "proto", authmethods: [] }));
    repo.putGroup("proto", { name: "readers", groups: [], meta: {} });
    repo.putGrant("proto", { id: "", permissions: ["wamp.call"], resource: { uri: "com.shared.", match: "prefix" }, to: { kind: "group", name: "readers" } });
    repo.putSource("proto", { cidr: "0.0.0.0/0", authmethods: ["ticket"], to: { kind: "all" } });
    repo.putUser("app", user("rita", ["readers"]));
    return repo;
  }
  const rita = { authid: "rita", authrole: "user", authmethod: "ticket" };

  test("a realm inherits authmethods, groups, grants and sources from its prototype", () => {
    const repo = setup();
    const view = effectiveRealm(repo, "app")!;
    expect(view.authmethods).toEqual(["ticket", "cryptosign"]);
    expect([...view.groups.keys()]).toEqual(["readers"]);
    expect(view.grants.length).toBe(1);
    expect(view.sources.length).toBe(1);
    const rbac = createRbac(repo);
    expect(rbac.policy("app").authorize(rita, "wamp.call", "com.shared.x").allowed).toBe(true);
    expect(rbac.policy("app").authorize(rita, "wamp.call", "com.private.x").allowed).toBe(false);
    expect(rbac.allowedAuthmethods("app", "rita", "192.0.2.7")).toEqual(["ticket"]);
  });

  test("the realm's own definitions override or add to the prototype's", () => {
    const repo = setup();
    repo.putRealm(realmRecord("app", { prototype: "proto", authmethods: ["cryptosign"] }));
    repo.putGrant("app", { id: "", permissions: ["wamp.call"], resource: { uri: "com.private.x", match: "exact" }, to: { kind: "user", authid: "rita" } });
    repo.putSource("app", { cidr: "0.0.0.0/0", authmethods: ["cryptosign"], to: { kind: "all" } });
    const rbac = createRbac(repo);
    expect(rbac.policy("app").authorize(rita, "wamp.call", "com.private.x").allowed).toBe(true);
    expect(rbac.policy("app").authorize(rita, "wamp.call", "com.shared.y").allowed).toBe(true);
    expect(rbac.allowedAuthmethods("app", "rita", "192.0.2.7")).toEqual(["cryptosign"]);
  });

  test("a change in the prototype reaches the realms built on it at once", () => {
    const repo = setup();
    const rbac = createRbac(repo);
    const s = rbac.sessionAuthorizer("app", rita);
    expect(s.authorize("wamp.call", "com.shared.x").allowed).toBe(true);
    repo.deleteGrant("proto", repo.grants("proto")[0].id);
    expect(s.authorize("wamp.call", "com.shared.x").allowed).toBe(false);
  });

  test("the realm's own securityEnabled decides; a prototype loop does not hang", () => {
    const repo = setup();
    repo.putRealm(realmRecord("proto", { isPrototype: true, prototype: "app", securityEnabled: false }));
    const rbac = createRbac(repo);
    expect(rbac.securityEnabled("app")).toBe(true);
    expect(rbac.securityEnabled("proto")).toBe(false);
    expect(effectiveRealm(repo, "app")!.grants.length).toBe(1);
  });
});
