import { describe, expect, test } from "bun:test";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Message } from "../../src/wamp/messages.ts";
import { createMemoryStore, createSecurityRepository } from "../../src/store/mod.ts";
import { ADMIN, adminFixture, call, failure } from "./_admin_harness.ts";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";

const utf8 = (s: string) => new TextEncoder().encode(s);
const toB64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));

const events = async (c: import("../_harness/message_client.ts").MessageClient, topic: string) => {
  await c.subscribe(topic);
  return (ms = 500) => c.nextOfType<Message & { args?: unknown[] }>(T.EVENT, ms);
};

describe("admin API: realms", () => {
  test("create, get, list, update, security enable/disable/status, delete; each publishes an event", async () => {
    const f = await adminFixture();
    const created = await events(f.admin, "bondy.realm.created");
    const r = await call(f.admin, "bondy.realm.create", { uri: "com.example", authmethods: ["wampcra"] });
    expect(r).toEqual({ uri: "com.example", authmethods: ["wampcra"], security_enabled: true, is_prototype: false, allow_connections: true, routed: true });
    expect((await created()).args).toEqual(["com.example"]);
    expect(f.router.realm("com.example")).toBeDefined();
    expect(((await call(f.admin, "bondy.realm.list")) as { uri: string }[]).map((x) => x.uri).sort()).toEqual([ADMIN, "com.example", "realm1"]);
    expect(await call(f.admin, "bondy.realm.security.status", "com.example")).toBe("enabled");
    expect(await call(f.admin, "bondy.realm.security.disable", "com.example")).toBe("disabled");
    expect(f.repo.realm("com.example")?.securityEnabled).toBe(false);
    // Security off: an anonymous client joins the runtime-created realm.
    expect((await f.connect().join("com.example")).type).toBe(T.WELCOME);
    const u = await call(f.admin, "bondy.realm.update", "com.example", { authmethods: ["ticket", "wampcra"] }) as { authmethods: string[] };
    expect(u.authmethods).toEqual(["ticket", "wampcra"]);
    const deleted = await events(f.admin, "bondy.realm.deleted");
    expect(await call(f.admin, "bondy.realm.delete", "com.example")).toBeUndefined();
    expect((await deleted()).args).toEqual(["com.example"]);
    expect(f.router.realm("com.example")).toBeUndefined();
    expect(f.repo.realm("com.example")).toBeUndefined();
  });

  test("validation errors name the field; unknown and duplicate realms; the admin realm is protected", async () => {
    const f = await adminFixture();
    let [uri, msg] = await failure(f.admin, "bondy.realm.create", { uri: "x.y", authmethods: ["magic"] });
    expect(uri).toBe("wamp.error.invalid_argument");
    expect(msg).toContain("authmethods.0");
    [uri, msg] = await failure(f.admin, "bondy.realm.create", {});
    expect([uri, msg.includes("uri")]).toEqual(["wamp.error.invalid_argument", true]);
    [uri, msg] = await failure(f.admin, "bondy.realm.create", { uri: "realm1" });
    expect(uri).toBe("bondy.error.already_exists");
    [uri] = await failure(f.admin, "bondy.realm.get", "nope");
    expect(uri).toBe("wamp.error.no_such_realm");
    [uri, msg] = await failure(f.admin, "bondy.realm.get");
    expect([uri, msg]).toEqual(["wamp.error.invalid_argument", "Arguments[0] (realm uri) must be a non-empty string"]);
    [uri] = await failure(f.admin, "bondy.realm.delete", ADMIN);
    expect(uri).toBe("wamp.error.not_authorized");
    [uri] = await failure(f.admin, "bondy.realm.security.disable", ADMIN);
    expect(uri).toBe("wamp.error.not_authorized");
    [uri] = await failure(f.admin, "bondy.realm.update", ADMIN, { security_enabled: false });
    expect(uri).toBe("wamp.error.not_authorized");
  });
});

describe("admin API: users and groups", () => {
  test("user add/get/list/update/enable/disable/add_group/remove_group/change_password/delete, never credentials", async () => {
    const f = await adminFixture();
    const added = await events(f.admin, "bondy.user.added");
    await call(f.admin, "bondy.group.add", "realm1", { name: "ops" });
    const u = await call(f.admin, "bondy.user.add", "realm1", { authid: "alice", password: "secret123", groups: ["ops"] });
    expect(u).toEqual({ authid: "alice", groups: ["ops"], enabled: true, meta: {}, credentials: ["password"] });
    expect((await added()).args).toEqual(["realm1", "alice"]);
    expect(JSON.stringify(await call(f.admin, "bondy.user.list", "realm1"))).not.toContain("pbkdf2");
    expect(await call(f.admin, "bondy.user.get", "realm1", "alice")).toEqual(u);
    const updated = await events(f.admin, "bondy.user.updated");
    expect((await call(f.admin, "bondy.user.disable", "realm1", "alice") as { enabled: boolean }).enabled).toBe(false);
    expect((await updated()).args).toEqual(["realm1", "alice"]);
    expect((await call(f.admin, "bondy.user.enable", "realm1", "alice") as { enabled: boolean }).enabled).toBe(true);
    await call(f.admin, "bondy.group.add", "realm1", { name: "dev" });
    expect((await call(f.admin, "bondy.user.add_group", "realm1", "alice", "dev") as { groups: string[] }).groups).toEqual(["ops", "dev"]);
    expect((await call(f.admin, "bondy.user.remove_group", "realm1", "alice", ["ops"]) as { groups: string[] }).groups).toEqual(["dev"]);
    expect((await call(f.admin, "bondy.user.update", "realm1", "alice", { meta: { team: "x" } }) as { meta: unknown }).meta).toEqual({ team: "x" });
    const before = f.repo.user("realm1", "alice")!.credentials.password;
    const [bad] = await failure(f.admin, "bondy.user.change_password", "realm1", "alice", "newpass1", "wrong-old");
    expect(bad).toBe("bondy.error.bad_old_password");
    await call(f.admin, "bondy.user.change_password", "realm1", "alice", "newpass1", "secret123");
    expect(f.repo.user("realm1", "alice")!.credentials.password).not.toEqual(before);
    const deleted = await events(f.admin, "bondy.user.deleted");
    await call(f.admin, "bondy.user.delete", "realm1", "alice");
    expect((await deleted()).args).toEqual(["realm1", "alice"]);
    expect(f.repo.user("realm1", "alice")).toBeUndefined();
  });

  test("Bondy's username alias and static tickets: the user logs in by the ticket method", async () => {
    const f = await adminFixture();
    const u = await call(f.admin, "bondy.user.add", "realm1", { username: "tess", tickets: ["tkt-secret-1"] });
    expect(u).toEqual({ authid: "tess", groups: [], enabled: true, meta: {}, credentials: ["ticket"] });
    expect(JSON.stringify(f.repo.user("realm1", "tess"))).not.toContain("tkt-secret-1");
    const c = f.connect("127.0.0.1");
    c.send({ type: T.HELLO, realm: "realm1", details: { authid: "tess", authmethods: ["ticket"], roles: { caller: {} } } });
    await c.nextOfType(T.CHALLENGE);
    c.send({ type: T.AUTHENTICATE, signature: "tkt-secret-1", extra: {} });
    expect((await c.next((m) => m.type === T.WELCOME || m.type === T.ABORT)).type).toBe(T.WELCOME);
    expect((await failure(f.admin, "bondy.user.add", "realm1", { authid: "a", username: "b" }))[1]).toContain("differ");
  });

  test("wampcra_salted: false stores the unsalted key; the user signs with the password itself", async () => {
    const f = await adminFixture();
    await call(f.admin, "bondy.user.add", "realm1", { authid: "uma", password: "plain-pw", wampcra_salted: false });
    expect(f.repo.user("realm1", "uma")!.credentials.password!.cra).toEqual({ key: "plain-pw" });
    const login = async (secret: string) => {
      const c = f.connect("127.0.0.1");
      c.send({ type: T.HELLO, realm: "realm1", details: { authid: "uma", authmethods: ["wampcra"], roles: { caller: {} } } });
      const ch = (await c.nextOfType(T.CHALLENGE)) as Message & { extra: Record<string, unknown> };
      expect(ch.extra.salt).toBeUndefined();
      const sig = toB64(hmac(sha256, utf8(secret), utf8(String(ch.extra.challenge))));
      c.send({ type: T.AUTHENTICATE, signature: sig, extra: {} });
      return (await c.next((m) => m.type === T.WELCOME || m.type === T.ABORT)).type;
    };
    expect(await login("plain-pw")).toBe(T.WELCOME);
    expect(await login("wrong-pw")).toBe(T.ABORT);
    // A new password keeps the kind of key; wampcra_salted: true goes back to a salted key.
    await call(f.admin, "bondy.user.update", "realm1", "uma", { password: "plain-pw2" });
    expect(f.repo.user("realm1", "uma")!.credentials.password!.cra).toEqual({ key: "plain-pw2" });
    await call(f.admin, "bondy.user.update", "realm1", "uma", { password: "plain-pw2", wampcra_salted: true });
    expect(typeof f.repo.user("realm1", "uma")!.credentials.password!.cra!.salt).toBe("string");
    const [uri, msg] = await failure(f.admin, "bondy.user.update", "realm1", "uma", { wampcra_salted: false });
    expect([uri, msg]).toEqual(["wamp.error.invalid_argument", expect.stringContaining("wampcra_salted")]);
  });

  test("user validation: missing authid, short password, unknown group, duplicate, unknown user", async () => {
    const f = await adminFixture();
    let [uri, msg] = await failure(f.admin, "bondy.user.add", "realm1", { password: "secret123" });
    expect([uri, msg]).toEqual(["wamp.error.invalid_argument", expect.stringContaining("Arguments[1] (user).authid is required")]);
    [uri, msg] = await failure(f.admin, "bondy.user.add", "realm1", { authid: "bob", password: "x" });
    expect(msg).toContain("Arguments[1] (user).password");
    [uri, msg] = await failure(f.admin, "bondy.user.add", "realm1", { authid: "bob", groups: ["ghosts"] });
    expect([uri, msg]).toEqual(["wamp.error.invalid_argument", expect.stringContaining("ghosts")]);
    [uri, msg] = await failure(f.admin, "bondy.user.add", "realm1", { authid: "bob", colour: "red" });
    expect(msg).toContain("colour");
    await call(f.admin, "bondy.user.add", "realm1", { authid: "bob" });
    [uri] = await failure(f.admin, "bondy.user.add", "realm1", { authid: "bob" });
    expect(uri).toBe("bondy.error.already_exists");
    [uri] = await failure(f.admin, "bondy.user.get", "realm1", "nobody");
    expect(uri).toBe("bondy.error.not_found");
  });

  test("groups: add/get/list/update/add_group/remove_group/delete; cycles and members refused", async () => {
    const f = await adminFixture();
    const added = await events(f.admin, "bondy.group.added");
    await call(f.admin, "bondy.group.add", "realm1", { name: "a" });
    expect((await added()).args).toEqual(["realm1", "a"]);
    await call(f.admin, "bondy.group.add", "realm1", { name: "b", groups: ["a"] });
    expect(await call(f.admin, "bondy.group.get", "realm1", "b")).toEqual({ name: "b", groups: ["a"], meta: {} });
    const [uri, msg] = await failure(f.admin, "bondy.group.add_group", "realm1", "a", "b");
    expect(uri).toBe("wamp.error.invalid_argument");
    expect(msg).toMatch(/cycle/i);
    expect((await call(f.admin, "bondy.group.remove_group", "realm1", "b", "a") as { groups: string[] }).groups).toEqual([]);
    expect((await call(f.admin, "bondy.group.add_group", "realm1", "b", "a") as { groups: string[] }).groups).toEqual(["a"]);
    expect((await call(f.admin, "bondy.group.update", "realm1", "b", { meta: { x: 1 } }) as { meta: unknown }).meta).toEqual({ x: 1 });
    expect((await failure(f.admin, "bondy.group.delete", "realm1", "a"))[1]).toContain("group b");
    await call(f.admin, "bondy.group.delete", "realm1", "b");
    await call(f.admin, "bondy.group.delete", "realm1", "a");
    expect(await call(f.admin, "bondy.group.list", "realm1")).toEqual([]);
    expect((await failure(f.admin, "bondy.group.add", "realm1", { name: "all" }))[1]).toContain("reserved");
  });
});

describe("admin API: grants, sources, tickets, session, ping", () => {
  test("grant create/revoke take effect on the realm at once", async () => {
    const f = await adminFixture();
    await call(f.admin, "bondy.realm.update", "realm1", { authmethods: ["anonymous"] });
    const anon = f.connect();
    expect((await anon.join("realm1")).type).toBe(T.WELCOME);
    const denied = await anon.replyTo(anon.call("com.x.add", []));
    expect((denied as { error?: string }).error).toBe("wamp.error.not_authorized");
    const created = await events(f.admin, "bondy.grant.created");
    const g = await call(f.admin, "bondy.grant.create", "realm1", { permissions: ["wamp.call", "wamp.register"], uri: "com.x", match: "prefix", to: "anonymous" }) as { id: string };
    expect(g).toEqual({ id: expect.any(String), permissions: ["wamp.call", "wamp.register"], uri: "com.x", match: "prefix", to: "anonymous" });
    expect(((await created()).args as unknown[])[0]).toBe("realm1");
    await anon.register("com.x.add");
    const revoked = await call(f.admin, "bondy.grant.revoke", "realm1", { uri: "com.x", match: "prefix", to: "anonymous", permissions: ["wamp.register"] }) as unknown[];
    expect(revoked.length).toBe(1);
    expect((await call(f.admin, "bondy.grant.list", "realm1") as { permissions: string[] }[])[0].permissions).toEqual(["wamp.call"]);
    const r2 = anon.request();
    anon.send({ type: T.REGISTER, request: r2, options: {}, procedure: "com.x.sub" });
    expect((await anon.replyTo(r2) as { error?: string }).error).toBe("wamp.error.not_authorized");
    let [uri, msg] = await failure(f.admin, "bondy.grant.create", "realm1", { permissions: ["wamp.fly"], uri: "a", to: "all" });
    expect([uri, msg]).toEqual(["wamp.error.invalid_argument", expect.stringContaining("Arguments[1] (grant).permissions.0")]);
    [uri, msg] = await failure(f.admin, "bondy.grant.create", "realm1", { permissions: ["wamp.call"], uri: "a", to: "robots" });
    expect(msg).toContain("(grant).to");
    [uri] = await failure(f.admin, "bondy.grant.revoke", "realm1", { id: "nope" });
    expect(uri).toBe("bondy.error.not_found");
    await call(f.admin, "bondy.grant.revoke", "realm1", { id: g.id });
    expect(await call(f.admin, "bondy.grant.list", "realm1")).toEqual([]);
  });

  test("sources add/get/list/match/delete", async () => {
    const f = await adminFixture();
    const s = await call(f.admin, "bondy.source.add", "realm1", { cidr: "10.0.0.0/8", authmethods: ["wampcra"], to: "all" });
    expect(s).toEqual({ cidr: "10.0.0.0/8", authmethods: ["wampcra"], to: "all" });
    expect(await call(f.admin, "bondy.source.get", "realm1", "10.0.0.0/8")).toEqual([s]);
    expect(await call(f.admin, "bondy.source.list", "realm1")).toEqual([s]);
    await call(f.admin, "bondy.user.add", "realm1", { authid: "carol" });
    expect((await call(f.admin, "bondy.source.match", "realm1", "10.1.2.3", "carol") as { authmethods: string[] }).authmethods).toEqual(["wampcra"]);
    expect((await call(f.admin, "bondy.source.match", "realm1", "192.168.1.1", "carol") as { authmethods: string[] }).authmethods).toEqual([]);
    expect((await failure(f.admin, "bondy.source.add", "realm1", { cidr: "10.0.0.0/99", authmethods: ["wampcra"], to: "all" }))[1]).toContain("cidr");
    await call(f.admin, "bondy.source.delete", "realm1", { cidr: "10.0.0.0/8", to: "all" });
    expect(await call(f.admin, "bondy.source.list", "realm1")).toEqual([]);
    expect((await failure(f.admin, "bondy.source.get", "realm1", "10.0.0.0/8"))[0]).toBe("bondy.error.not_found");
  });

  test("ticket.issue is for the calling session's authid; revoke and revoke_all; session.self; ping", async () => {
    const f = await adminFixture();
    expect((await failure(f.admin, "bondy.ticket.issue", "realm1", {}))[0]).toBe("bondy.error.not_found");
    await call(f.admin, "bondy.user.add", "realm1", { authid: "ops" });
    const t = await call(f.admin, "bondy.ticket.issue", "realm1", { expiry_time_secs: 60, scope: { client_id: "cli" } }) as { ticket: string; expires_at: number; scope: unknown };
    expect(t.ticket.split(".").length).toBe(3);
    expect(t.scope).toEqual({ client_id: "cli" });
    expect(t.expires_at - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(60);
    // The ticket logs "ops" into realm1 by the ticket method.
    const user = f.connect("127.0.0.1");
    user.send({ type: T.HELLO, realm: "realm1", details: { authid: "ops", authmethods: ["ticket"], roles: { caller: {} } } });
    expect((await user.nextOfType(T.CHALLENGE)).type).toBe(T.CHALLENGE);
    user.send({ type: T.AUTHENTICATE, signature: t.ticket, extra: {} });
    expect((await user.next((m) => m.type === T.WELCOME || m.type === T.ABORT)).type).toBe(T.WELCOME);
    expect((await failure(f.admin, "bondy.ticket.issue", "realm1", { expiry_time_secs: -1 }))[1]).toContain("expiry_time_secs");
    await call(f.admin, "bondy.ticket.revoke", "realm1", t.ticket);
    expect((await failure(f.admin, "bondy.ticket.revoke", "realm1", t.ticket))[1]).toMatch(/revoked/i);
    await call(f.admin, "bondy.ticket.issue", "realm1", {});
    await call(f.admin, "bondy.ticket.issue", "realm1", {});
    expect(await call(f.admin, "bondy.ticket.revoke_all", "realm1", "ops")).toEqual({ revoked: 2 });
    const self = await call(f.admin, "bondy.session.self") as { authid: string; realm: string; session: number };
    expect([self.authid, self.realm, self.session]).toEqual(["ops", ADMIN, f.admin.session]);
    expect(await call(f.admin, "bondy.ping")).toBe("pong");
  });
});

describe("admin API: the admin realm's access and durability", () => {
  test("seeded admin realm: user admin by trust from loopback only; anonymous and remote refused", async () => {
    const f = await adminFixture();
    const local = f.connect("127.0.0.1");
    const w = await local.join(ADMIN, { authid: "admin", authmethods: ["trust"] });
    expect(w.type).toBe(T.WELCOME);
    expect(await call(local, "bondy.ping")).toBe("pong");
    expect((await call(local, "bondy.session.self") as { authmethod: string }).authmethod).toBe("trust");
    expect((await f.connect("10.9.9.9").join(ADMIN, { authid: "admin", authmethods: ["trust"] })).type).toBe(T.ABORT);
    expect((await f.connect("127.0.0.1").join(ADMIN)).type).toBe(T.ABORT);
    expect((await f.connect("127.0.0.1").join(ADMIN, { authid: "mallory", authmethods: ["trust"] })).type).toBe(T.ABORT);
  });

  test("every change is in the store: a new repository over the same store reads it back", async () => {
    const store = createMemoryStore();
    const f = await adminFixture(store);
    await call(f.admin, "bondy.realm.create", { uri: "com.durable", security_enabled: false });
    await call(f.admin, "bondy.group.add", "com.durable", { name: "g" });
    await call(f.admin, "bondy.user.add", "com.durable", { authid: "dave", password: "secret123", groups: ["g"] });
    const g = await call(f.admin, "bondy.grant.create", "com.durable", { permissions: ["wamp.call"], uri: "com.d", to: "group:g" }) as { id: string };
    await call(f.admin, "bondy.source.add", "com.durable", { cidr: "0.0.0.0/0", authmethods: ["wampcra"], to: "all" });
    const again = createSecurityRepository(store);
    expect(again.realm("com.durable")).toMatchObject({ uri: "com.durable", securityEnabled: false, origin: "admin" });
    expect(again.user("com.durable", "dave")?.groups).toEqual(["g"]);
    expect(again.user("com.durable", "dave")?.credentials.password?.cra).toBeDefined();
    expect(again.grants("com.durable").map((x) => x.id)).toEqual([g.id]);
    expect(again.sources("com.durable").length).toBe(1);
    expect(again.group("com.durable", "g")).toBeDefined();
  });
});
