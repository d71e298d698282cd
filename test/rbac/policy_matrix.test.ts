import { describe, expect, test } from "bun:test";
import { createRbac } from "../../src/rbac/mod.ts";
import type { GrantRecord, Permission, Principal } from "../../src/store/security_records.ts";
import { memoryRepository, realmRecord, user } from "./_memory_repository.ts";

const PERMISSIONS: Permission[] = [
  "wamp.register", "wamp.unregister", "wamp.call", "wamp.cancel", "wamp.subscribe", "wamp.unsubscribe",
  "wamp.publish", "wamp.disclose_caller", "wamp.disclose_publisher",
];

/** Each resource form with a URI it covers and one it does not. */
const RESOURCES: { name: string; resource: GrantRecord["resource"]; covered: string; uncovered?: string }[] = [
  { name: "exact", resource: { uri: "com.app.thing", match: "exact" }, covered: "com.app.thing", uncovered: "com.app.thing2" },
  { name: "prefix", resource: { uri: "com.app.", match: "prefix" }, covered: "com.app.x.y", uncovered: "com.other.x" },
  { name: "wildcard", resource: { uri: "com..thing", match: "wildcard" }, covered: "com.app.thing", uncovered: "com.app.x.thing" },
  { name: "any", resource: "any", covered: "org.whatever" },
];

/** Each principal form with the session it grants to and one it must not. */
const PRINCIPALS: { name: string; to: Principal; granted: Who; other: Who }[] = [
  { name: "user", to: { kind: "user", authid: "alice" }, granted: { authid: "alice" }, other: { authid: "bob" } },
  { name: "group", to: { kind: "group", name: "ops" }, granted: { authid: "olga" }, other: { authid: "bob" } },
  { name: "nested group", to: { kind: "group", name: "staff" }, granted: { authid: "olga" }, other: { authid: "bob" } },
  { name: "all", to: { kind: "all" }, granted: { authid: "bob" }, other: { anonymous: true } },
  { name: "anonymous", to: { kind: "anonymous" }, granted: { anonymous: true }, other: { authid: "bob" } },
];

type Who = { authid?: string; anonymous?: boolean };

function identity(w: Who) {
  return w.anonymous
    ? { authid: "anonymous-1", authrole: "anonymous", authmethod: "anonymous" }
    : { authid: w.authid!, authrole: "user", authmethod: "ticket" };
}

function realmWith(grant: Omit<GrantRecord, "id">) {
  const repo = memoryRepository();
  repo.putRealm(realmRecord("r"));
  repo.putGroup("r", { name: "staff", groups: [], meta: {} });
  repo.putGroup("r", { name: "ops", groups: ["staff"], meta: {} }); // ops ⊂ staff: olga (ops) is also in staff
  repo.putUser("r", user("alice"));
  repo.putUser("r", user("bob"));
  repo.putUser("r", user("olga", ["ops"]));
  repo.putGrant("r", { id: "", ...grant });
  return createRbac(repo).policy("r");
}

describe("RBAC matrix: permission × match policy × principal", () => {
  for (const permission of PERMISSIONS) {
    const otherPermission = PERMISSIONS[(PERMISSIONS.indexOf(permission) + 1) % PERMISSIONS.length];
    for (const r of RESOURCES) {
      for (const p of PRINCIPALS) {
        test(`${permission} granted on ${r.name} to ${p.name}: allowed there, denied elsewhere`, () => {
          const policy = realmWith({ permissions: [permission], resource: r.resource, to: p.to });
          expect(policy.authorize(identity(p.granted), permission, r.covered)).toEqual({ allowed: true });
          // Denied: another principal, another permission, a URI outside the pattern.
          const denied = [
            policy.authorize(identity(p.other), permission, r.covered),
            policy.authorize(identity(p.granted), otherPermission, r.covered),
            ...(r.uncovered ? [policy.authorize(identity(p.granted), permission, r.uncovered)] : []),
          ];
          for (const d of denied) {
            expect(d.allowed).toBe(false);
            if (!d.allowed) expect(d.reason).toMatch(/^permission wamp\.[a-z_]+ on "[^"]+" is not granted to /);
          }
        });
      }
    }
  }

  test("a denial names the permission, the URI and the principal", () => {
    const policy = realmWith({ permissions: ["wamp.call"], resource: "any", to: { kind: "user", authid: "alice" } });
    expect(policy.authorize(identity({ authid: "bob" }), "wamp.call", "com.x")).toEqual({
      allowed: false, reason: 'permission wamp.call on "com.x" is not granted to authid "bob"',
    });
    expect(policy.authorize(identity({ anonymous: true }), "wamp.publish", "com.y")).toEqual({
      allowed: false, reason: 'permission wamp.publish on "com.y" is not granted to anonymous',
    });
  });

  test("the session's authrole counts as a group", () => {
    const policy = realmWith({ permissions: ["wamp.call"], resource: "any", to: { kind: "group", name: "backend" } });
    expect(policy.authorize({ authid: "svc", authrole: "backend", authmethod: "cryptosign" }, "wamp.call", "a.b").allowed).toBe(true);
  });

  test("a disabled user is denied everything; security disabled allows everything", () => {
    const repo = memoryRepository();
    repo.putRealm(realmRecord("r"));
    repo.putUser("r", user("alice", [], { enabled: false }));
    repo.putGrant("r", { id: "", permissions: PERMISSIONS, resource: "any", to: { kind: "all" } });
    const rbac = createRbac(repo);
    const d = rbac.policy("r").authorize(identity({ authid: "alice" }), "wamp.call", "a");
    expect(d).toEqual({ allowed: false, reason: 'authid "alice" is disabled' });
    repo.putRealm(realmRecord("r", { securityEnabled: false }));
    expect(rbac.policy("r").authorize(identity({ authid: "alice" }), "wamp.call", "a").allowed).toBe(true);
    expect(rbac.securityEnabled("r")).toBe(false);
    expect(rbac.securityEnabled("unknown")).toBe(false);
  });
});
