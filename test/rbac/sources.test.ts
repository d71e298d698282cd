import { describe, expect, test } from "bun:test";
import { cidrContains, createRbac, parseCidr, parseIp, validateSource } from "../../src/rbac/mod.ts";
import { memoryRepository, realmRecord, user } from "./_memory_repository.ts";

const inside = (cidr: string, ip: string) => {
  const c = parseCidr(cidr);
  if ("error" in c) throw new Error(c.error);
  return cidrContains(c, parseIp(ip)!);
};

describe("CIDR parsing and matching", () => {
  test("IPv4 blocks contain their addresses and nothing else", () => {
    expect(inside("10.0.0.0/8", "10.200.3.4")).toBe(true);
    expect(inside("10.0.0.0/8", "11.0.0.1")).toBe(false);
    expect(inside("192.168.1.0/25", "192.168.1.127")).toBe(true);
    expect(inside("192.168.1.0/25", "192.168.1.128")).toBe(false);
    expect(inside("0.0.0.0/0", "8.8.8.8")).toBe(true);
    expect(inside("127.0.0.1", "127.0.0.1")).toBe(true);
  });
  test("IPv6 blocks, compressed forms, brackets and zones", () => {
    expect(inside("::1/128", "::1")).toBe(true);
    expect(inside("::1/128", "[::1]")).toBe(true);
    expect(inside("2001:db8::/32", "2001:db8:ffff::1")).toBe(true);
    expect(inside("2001:db8::/32", "2001:db9::1")).toBe(false);
    expect(inside("fe80::/10", "fe80::1%eth0")).toBe(true);
    expect(inside("::/0", "2001:db8::1")).toBe(true);
  });
  test("an IPv4-mapped IPv6 address matches the IPv4 block (dual-stack listeners)", () => {
    expect(inside("10.0.0.0/8", "::ffff:10.1.2.3")).toBe(true);
    expect(inside("::/0", "10.1.2.3")).toBe(true);
    expect(inside("0.0.0.0/0", "2001:db8::1")).toBe(false);
  });
  test("malformed CIDRs are refused with a message naming them", () => {
    for (const bad of ["10.0.0.0/33", "10.0.0/8", "300.0.0.0/8", "::1/129", "1::2::3/64", "abc", "10.0.0.0/x"]) {
      const c = parseCidr(bad);
      expect("error" in c).toBe(true);
      expect(validateSource({ cidr: bad, authmethods: ["ticket"] })).toContain(bad);
    }
    expect(validateSource({ cidr: "10.0.0.0/8", authmethods: ["ticket"] })).toBeUndefined();
  });
});

describe("allowedAuthmethods (sources)", () => {
  function setup() {
    const repo = memoryRepository();
    repo.putRealm(realmRecord("r", { authmethods: ["anonymous", "ticket", "wampcra", "cryptosign", "trust"] }));
    repo.putGroup("r", { name: "ops", groups: [], meta: {} });
    repo.putGroup("r", { name: "admins", groups: ["ops"], meta: {} });
    repo.putUser("r", user("alice", ["admins"]));
    repo.putUser("r", user("bob"));
    repo.putSource("r", { cidr: "0.0.0.0/0", authmethods: ["ticket", "wampcra"], to: { kind: "all" } });
    repo.putSource("r", { cidr: "10.0.0.0/8", authmethods: ["cryptosign"], to: { kind: "all" } });
    repo.putSource("r", { cidr: "10.1.0.0/16", authmethods: ["trust"], to: { kind: "group", name: "ops" } });
    repo.putSource("r", { cidr: "::/0", authmethods: ["ticket"], to: { kind: "all" } });
    repo.putSource("r", { cidr: "2001:db8::/32", authmethods: ["cryptosign", "wampcra"], to: { kind: "all" } });
    repo.putSource("r", { cidr: "127.0.0.0/8", authmethods: ["anonymous"], to: { kind: "anonymous" } });
    return { repo, rbac: createRbac(repo) };
  }

  test("the most specific IPv4 CIDR wins", () => {
    const { rbac } = setup();
    expect(rbac.allowedAuthmethods("r", "bob", "192.0.2.1")).toEqual(["ticket", "wampcra"]);
    expect(rbac.allowedAuthmethods("r", "bob", "10.9.0.1")).toEqual(["cryptosign"]);
    // bob is not in ops: the /16 does not apply to him, the /8 does.
    expect(rbac.allowedAuthmethods("r", "bob", "10.1.0.1")).toEqual(["cryptosign"]);
    // alice is in ops through the nested group admins → ops.
    expect(rbac.allowedAuthmethods("r", "alice", "10.1.0.1")).toEqual(["trust"]);
  });

  test("the most specific IPv6 CIDR wins", () => {
    const { rbac } = setup();
    expect(rbac.allowedAuthmethods("r", "bob", "2001:4860::8888")).toEqual(["ticket"]);
    // In the realm's order of methods.
    expect(rbac.allowedAuthmethods("r", "bob", "2001:db8::42")).toEqual(["wampcra", "cryptosign"]);
  });

  test("a HELLO without authid: anonymous by the anonymous sources, the rest by `all` sources", () => {
    const { rbac } = setup();
    expect(rbac.allowedAuthmethods("r", undefined, "127.0.0.1")).toEqual(["anonymous", "ticket", "wampcra"]);
    // No authid: the `all` sources decide the other methods (cryptosign may name the user by key).
    expect(rbac.allowedAuthmethods("r", undefined, "10.0.0.1")).toEqual(["cryptosign"]);
    expect(rbac.allowedAuthmethods("r", undefined, "192.0.2.1")).toEqual(["ticket", "wampcra"]);
    expect(rbac.allowedAuthmethods("r", "bob", "not-an-ip")).toEqual([]);
  });

  test("the anonymous method follows the anonymous sources even when the HELLO names an authid", () => {
    const { rbac } = setup();
    expect(rbac.allowedAuthmethods("r", "bob", "127.0.0.1")).toEqual(["anonymous", "ticket", "wampcra"]);
    expect(rbac.allowedAuthmethods("r", "nobody", "127.0.0.1")).toEqual(["anonymous", "ticket", "wampcra"]);
    expect(rbac.allowedAuthmethods("r", "bob", "192.0.2.1")).toEqual(["ticket", "wampcra"]);
  });

  test("results are limited to the realm's methods; disabled users get none; unknown realms undefined", () => {
    const { repo, rbac } = setup();
    repo.putRealm(realmRecord("r", { authmethods: ["ticket"] }));
    expect(rbac.allowedAuthmethods("r", "bob", "192.0.2.1")).toEqual(["ticket"]);
    repo.putUser("r", user("bob", [], { enabled: false }));
    expect(rbac.allowedAuthmethods("r", "bob", "192.0.2.1")).toEqual([]);
    expect(rbac.allowedAuthmethods("nope", "bob", "192.0.2.1")).toBeUndefined();
  });

  test("a realm without any source puts no source restriction (undefined)", () => {
    const repo = memoryRepository();
    repo.putRealm(realmRecord("bare"));
    repo.putUser("bare", user("bob"));
    expect(createRbac(repo).allowedAuthmethods("bare", "bob", "10.0.0.1")).toBeUndefined();
    expect(createRbac(repo).allowedAuthmethods("bare", undefined, "10.0.0.1")).toBeUndefined();
  });

  test("with security disabled only anonymous is allowed", () => {
    const { repo, rbac } = setup();
    repo.putRealm(realmRecord("r", { securityEnabled: false }));
    expect(rbac.allowedAuthmethods("r", "bob", "10.1.0.1")).toEqual(["anonymous"]);
  });
});
