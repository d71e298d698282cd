// The operator's path of the README's "Security quick start", end to end: a router process with
// a durable store, users and grants added with `mod.ts admin …` (the CLI talks to the running
// router's admin realm by trust from 127.0.0.1), then autobahn-js (npm) logs in by salted
// wampcra and is allowed exactly what the grants say; a grant revoked with the CLI takes effect
// on the open session; after a restart the users still log in. Also: autobahn-js on the admin
// realm itself (trust from localhost, events), and cryptosign/static-ticket users on a realm the
// CLI created at runtime.
import { afterAll, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, type RouterProcess, startRouterProcess } from "../_harness/router_process.ts";
import { withTimeout } from "./_client.ts";
import { autobahn } from "./_autobahn.ts";
import nacl from "tweetnacl";

interface AbSession {
  call(procedure: string, args?: unknown[]): PromiseLike<unknown>;
  subscribe(topic: string, fn: (args: unknown[]) => void): PromiseLike<unknown>;
  register(procedure: string, fn: (args: unknown[]) => unknown): PromiseLike<unknown>;
}
interface AbConnection {
  onopen: (session: AbSession) => void;
  onclose: (reason: string, details: { reason?: string; message?: string }) => boolean;
  open(): void;
  close(): void;
}
const ab = autobahn as unknown as {
  Connection: new (o: object) => AbConnection;
  auth_cryptosign: { sign_challenge(pkey: nacl.SignKeyPair, extra: Record<string, unknown>): string; public_key(pkey: nacl.SignKeyPair): string };
  auth_cra: { derive_key(secret: string, salt: string, iterations: number, keylen: number): string; sign(key: string, challenge: string): string };
};

const dataDir = mkdtempSync(join(tmpdir(), "causeway-admin-cli-"));
const config = {
  listeners: [{ name: "ws", transport: "websocket", host: "127.0.0.1", port: 0 }, { name: "rawsocket", transport: "rawsocket", host: "127.0.0.1", port: 0 }],
  store: { dataDir },
  realms: [{ name: "realm1", security: { enabled: true, authmethods: ["wampcra"] } }],
};
let router: RouterProcess | undefined;
const open: AbConnection[] = [];
afterAll(async () => {
  for (const c of open) c.close();
  await router?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `bun mod.ts admin <args> --url <router>`; resolves with exit code, stdout, stderr. */
function admin(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const bun = join(REPO_ROOT, "node_modules", ".bin", "bun");
  const child = spawn(bun, ["mod.ts", "admin", ...args, "--url", router!.wsUrl], { cwd: REPO_ROOT });
  let out = "", err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  return withTimeout(new Promise((resolve) => child.on("close", (code) => resolve({ code: code ?? -1, out, err }))), 30_000, `admin ${args.join(" ")}`);
}

async function ok(...args: string[]): Promise<unknown> {
  const r = await admin(...args);
  if (r.code !== 0) throw new Error(`admin ${args.join(" ")} failed (${r.code}): ${r.err}`);
  return JSON.parse(r.out);
}

/** autobahn-js by salted wampcra; resolves with the session or the ABORT reason. */
function login(authid: string, secret: string): Promise<AbSession | { refused: string }> {
  const connection = new ab.Connection({
    realm: "realm1",
    transports: [{ type: "websocket", url: router!.wsUrl }],
    authmethods: ["wampcra"], authid, max_retries: 0, retry_if_unreachable: false,
    onchallenge: (_s: unknown, method: string, extra: { challenge: string; salt?: string; iterations?: number; keylen?: number }) => {
      const key = extra.salt ? ab.auth_cra.derive_key(secret, extra.salt, extra.iterations ?? 1000, extra.keylen ?? 32) : secret;
      return ab.auth_cra.sign(key, extra.challenge);
    },
  });
  return withTimeout(new Promise((resolve) => {
    connection.onopen = (session) => {
      open.push(connection);
      resolve(session);
    };
    connection.onclose = (_r, d) => {
      resolve({ refused: d?.reason ?? "closed" });
      return true;
    };
    connection.open();
  }), 10_000, `login ${authid}`);
}

const errorOf = async (p: PromiseLike<unknown>): Promise<string> => {
  try {
    await p;
    return "no error";
  } catch (e) {
    return (e as { error?: string }).error ?? String(e);
  }
};

test("CLI adds users and grants on a running router; autobahn-js (wampcra) gets exactly what is granted; revoke applies at once", async () => {
  router = await startRouterProcess({ config, env: { CAUSEWAY_DATA_DIR: dataDir } });
  expect(await ok("ping")).toBe("pong");
  await ok("user", "add", "realm1", "alice", "--password", "secret123");
  await ok("user", "add", "realm1", "bob", "--password", "secret456");
  const g = await ok("grant", "create", "realm1", "--permission", "wamp.call", "--uri", "com.x", "--match", "prefix", "--to", "user:alice") as { id: string };
  await ok("grant", "create", "realm1", "--permission", "wamp.register", "--uri", "com.x.echo", "--to", "user:bob");
  const listed = await ok("user", "list", "realm1") as { authid: string }[];
  expect(listed.map((u) => u.authid).sort()).toEqual(["alice", "bob"]);
  expect(JSON.stringify(listed)).not.toMatch(/salt|pbkdf2|cra/);

  // Failures: non-zero exit, error URI and message on stderr.
  const dup = await admin("user", "add", "realm1", "alice");
  expect([dup.code, dup.err]).toEqual([1, expect.stringContaining("bondy.error.already_exists")]);
  const bad = await admin("grant", "create", "realm1", "--permission", "wamp.fly", "--uri", "a", "--to", "all");
  expect([bad.code, bad.err]).toEqual([1, expect.stringContaining("wamp.error.invalid_argument")]);
  expect((await admin("user", "add")).code).toBe(2);

  expect(await login("alice", "wrong-password")).toEqual({ refused: "wamp.error.authentication_failed" });
  const bob = await login("bob", "secret456") as AbSession;
  await bob.register("com.x.echo", (args) => args[0]);
  const alice = await login("alice", "secret123") as AbSession;
  expect("refused" in alice).toBe(false);
  expect(await alice.call("com.x.echo", ["hi"])).toBe("hi");
  expect(await errorOf(alice.call("com.y.other", []))).toBe("wamp.error.not_authorized");
  expect(await errorOf(alice.register("com.x.mine", () => 1))).toBe("wamp.error.not_authorized");
  expect(await errorOf(bob.call("com.x.echo", ["no"]))).toBe("wamp.error.not_authorized");

  await ok("grant", "revoke", "realm1", "--id", g.id);
  expect(await errorOf(alice.call("com.x.echo", ["again"]))).toBe("wamp.error.not_authorized");
  await ok("grant", "create", "realm1", "--permission", "wamp.call", "--uri", "com.x", "--match", "prefix", "--to", "user:alice");
  expect(await alice.call("com.x.echo", ["back"])).toBe("back");
}, 90_000);

test("after a restart the users, their grants and admin-created realms are still there", async () => {
  await ok("realm", "create", "com.example.app", "--security", "off");
  for (const c of open.splice(0)) c.close();
  await router!.stop();
  router = await startRouterProcess({ config, env: { CAUSEWAY_DATA_DIR: dataDir } });
  const bob = await login("bob", "secret456") as AbSession;
  await bob.register("com.x.echo", (args) => args[0]);
  const alice = await login("alice", "secret123") as AbSession;
  expect(await alice.call("com.x.echo", ["still here"])).toBe("still here");
  expect(await errorOf(alice.call("com.y.other", []))).toBe("wamp.error.not_authorized");
  expect((await ok("realm", "get", "com.example.app") as { routed: boolean }).routed).toBe(true);
}, 90_000);

test("the README's alice.mjs (Security quick start) logs in by wampcra, is served and refused as the README says", async () => {
  await ok("grant", "create", "realm1", "--permission", "wamp.call", "--uri", "com.example", "--match", "prefix", "--to", "user:alice");
  await ok("grant", "create", "realm1", "--permission", "wamp.register", "--uri", "com.example", "--match", "prefix", "--to", "user:alice");
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const block = readme.split("```js\n").slice(1).map((b) => b.slice(0, b.indexOf("```"))).find((b) => b.includes("alice.mjs"));
  expect(block).toContain("ws://127.0.0.1:8080/ws");
  // Inside the repo so that `import "autobahn"` resolves from node_modules, as for a user.
  const dir = join(REPO_ROOT, ".tmp", `readme-alice-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "alice.mjs");
  writeFileSync(file, block!.replace(/^   /gm, "").replace("ws://127.0.0.1:8080/ws", router!.wsUrl));
  try {
    const r = spawnSync(join(REPO_ROOT, "node_modules", ".bin", "bun"), [file], { cwd: REPO_ROOT, encoding: "utf8", timeout: 15_000 });
    expect(r.stdout.split("\n").filter((l) => /^(5|wamp\.error\.)/.test(l))).toEqual(["5", "wamp.error.not_authorized"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

test("autobahn-js on the admin realm by trust from localhost: calls bondy.* and receives the change events", async () => {
  const connection = new ab.Connection({
    realm: "causeway.admin", transports: [{ type: "websocket", url: router!.wsUrl }],
    authmethods: ["trust"], authid: "admin", max_retries: 0, retry_if_unreachable: false,
  });
  const session = await withTimeout(new Promise<AbSession>((resolve, reject) => {
    connection.onopen = (s) => resolve(s);
    connection.onclose = (_r, d) => (reject(new Error(d?.reason)), true);
    connection.open();
  }), 10_000, "admin login");
  open.push(connection);
  const events: unknown[] = [];
  await session.subscribe("bondy.user.added", (args) => events.push(args));
  expect(await session.call("bondy.ping")).toBe("pong");
  const carol = await session.call("bondy.user.add", ["realm1", { authid: "carol", password: "secret789" }]) as { authid: string };
  expect(carol.authid).toBe("carol");
  await ok("user", "add", "realm1", "dave");
  await withTimeout((async () => { while (events.length < 2) await new Promise((r) => setTimeout(r, 20)); })(), 5000, "events");
  expect(events).toEqual([["realm1", "carol"], ["realm1", "dave"]]);
  expect(await errorOf(session.call("bondy.user.add", ["realm1", { authid: "erin", password: "x" }]))).toBe("wamp.error.invalid_argument");
  // Anonymous or an unknown authid get nowhere near the admin realm.
  const anon = new ab.Connection({ realm: "causeway.admin", transports: [{ type: "websocket", url: router!.wsUrl }], max_retries: 0, retry_if_unreachable: false });
  const refused = await withTimeout(new Promise<string>((resolve) => {
    anon.onopen = () => resolve("joined");
    anon.onclose = (_r, d) => (resolve(d?.reason ?? "closed"), true);
    anon.open();
  }), 10_000, "anonymous admin login");
  expect(refused).not.toBe("joined");
}, 60_000);

test("a realm created with the CLI at runtime: autobahn-js logs in by cryptosign and by static ticket set with the CLI", async () => {
  await ok("realm", "create", "com.example.multi", "--authmethods", "cryptosign,ticket");
  const key = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(7));
  const pubkey = ab.auth_cryptosign.public_key(key);
  await ok("user", "add", "com.example.multi", "frank", "--key", pubkey, "--static-ticket", "frank-ticket-1");
  await ok("grant", "create", "com.example.multi", "--permission", "wamp.call,wamp.register", "--uri", "com.m", "--match", "prefix", "--to", "user:frank");
  const join = (opts: object) => withTimeout(new Promise<AbSession | string>((resolve) => {
    const c = new ab.Connection({ realm: "com.example.multi", transports: [{ type: "websocket", url: router!.wsUrl }], authid: "frank", max_retries: 0, retry_if_unreachable: false, ...opts });
    c.onopen = (s) => (open.push(c), resolve(s));
    c.onclose = (_r, d) => (resolve(d?.reason ?? "closed"), true);
    c.open();
  }), 10_000, "multi login");
  const bySig = await join({
    authmethods: ["cryptosign"], authextra: { pubkey },
    onchallenge: (_s: unknown, _m: string, extra: Record<string, unknown>) => ab.auth_cryptosign.sign_challenge(key, extra),
  }) as AbSession;
  await bySig.register("com.m.add", (args) => (args[0] as number) + (args[1] as number));
  const byTicket = await join({ authmethods: ["ticket"], onchallenge: () => "frank-ticket-1" }) as AbSession;
  expect(await byTicket.call("com.m.add", [2, 3])).toBe(5);
  expect(await errorOf(byTicket.call("com.other", []))).toBe("wamp.error.not_authorized");
  expect(await join({ authmethods: ["ticket"], onchallenge: () => "wrong-ticket" })).toBe("wamp.error.authentication_failed");
}, 60_000);
