import { describe, expect, test } from "bun:test";
import { expandGroups, groupCycle, validateGroup, validateUserGroups } from "../../src/rbac/mod.ts";
import type { GroupRecord } from "../../src/store/security_records.ts";
import { memoryRepository, realmRecord } from "./_memory_repository.ts";

const g = (name: string, groups: string[] = []): GroupRecord => ({ name, groups, meta: {} });

describe("groups", () => {
  function repo() {
    const r = memoryRepository();
    r.putRealm(realmRecord("r"));
    r.putGroup("r", g("c"));
    r.putGroup("r", g("b", ["c"]));
    r.putGroup("r", g("a", ["b"]));
    return r;
  }

  test("nested groups expand transitively", () => {
    const groups = new Map(repo().groups("r").map((x) => [x.name, x]));
    expect([...expandGroups(groups, ["a"])].sort()).toEqual(["a", "b", "c"]);
    expect([...expandGroups(groups, ["c"])]).toEqual(["c"]);
  });

  test("a write that would create a cycle is refused, naming the cycle", () => {
    const r = repo();
    expect(validateGroup(r, "r", g("c", ["a"]))).toBe('group "c" would create a cycle: c → a → b → c');
    expect(validateGroup(r, "r", g("b", ["b"]))).toBe('group "b" cannot contain itself');
    expect(groupCycle(new Map(r.groups("r").map((x) => [x.name, x])), g("d", ["a"]))).toBeUndefined();
  });

  test("acyclic writes are accepted; unknown and reserved names refused", () => {
    const r = repo();
    expect(validateGroup(r, "r", g("d", ["a", "c"]))).toBeUndefined();
    expect(validateGroup(r, "r", g("e", ["nope"]))).toBe('group "e" refers to unknown group "nope"');
    expect(validateGroup(r, "r", g("all"))).toBe('group name "all" is reserved');
    expect(validateGroup(r, "r", g("anonymous"))).toBe('group name "anonymous" is reserved');
    expect(validateUserGroups(r, "r", { authid: "u", groups: ["a", "all"] })).toBeUndefined();
    expect(validateUserGroups(r, "r", { authid: "u", groups: ["zz"] })).toBe('user "u" refers to unknown group "zz"');
  });

  test("a cycle already in storage does not hang expansion", () => {
    const groups = new Map([["x", g("x", ["y"])], ["y", g("y", ["x"])]]);
    expect([...expandGroups(groups, ["x"])].sort()).toEqual(["x", "y"]);
  });

  test("groups of the prototype realm count for validation", () => {
    const r = memoryRepository();
    r.putRealm(realmRecord("proto", { isPrototype: true }));
    r.putRealm(realmRecord("r", { prototype: "proto" }));
    r.putGroup("proto", g("base"));
    expect(validateGroup(r, "r", g("mine", ["base"]))).toBeUndefined();
  });
});

describe("grant validation", () => {
  test("grants with unknown permissions, match policies or principals are refused", async () => {
    const { validateGrant } = await import("../../src/rbac/mod.ts");
    expect(validateGrant({ permissions: ["wamp.call"], resource: "any", to: { kind: "all" } })).toBeUndefined();
    expect(validateGrant({ permissions: [], resource: "any", to: { kind: "all" } })).toBe("a grant needs at least one permission");
    expect(validateGrant({ permissions: ["wamp.fly" as never], resource: "any", to: { kind: "all" } })).toContain('unknown permission "wamp.fly"');
    expect(validateGrant({ permissions: ["wamp.call"], resource: { uri: "a", match: "fuzzy" as never }, to: { kind: "all" } })).toContain('unknown match policy "fuzzy"');
    expect(validateGrant({ permissions: ["wamp.call"], resource: { uri: "a", match: "exact" }, to: { kind: "user", authid: "" } })).toBe("a user principal needs an authid");
  });
});
