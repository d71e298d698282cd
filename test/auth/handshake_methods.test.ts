import { describe, expect, test } from "bun:test";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Abort, Challenge, Welcome } from "../../src/wamp/messages.ts";
import { createTicketIssuer } from "../../src/auth/mod.ts";
import {
  ALICE_PK, authenticate, CHEAP, craKey, craSign, cryptosignSign, draftScramClient, hello, scramClient, securedRouter, seedAlice,
} from "./_auth_harness.ts";

const FAILED = { type: T.ABORT, details: { message: "authentication failed" }, reason: "wamp.error.authentication_failed" };

function identity(w: unknown) {
  const d = (w as Welcome).details;
  return { type: (w as Welcome).type, authid: d.authid, authrole: d.authrole, authmethod: d.authmethod, authprovider: d.authprovider };
}

describe("authentication on a realm with security enabled", () => {
  test("password: CHALLENGE with empty extra, WELCOME for the right password, ABORT for a wrong one", async () => {
    const r = securedRouter();
    seedAlice(r.repo);
    const c = r.connect();
    expect(await hello(c, { authmethods: ["password"], authid: "alice" })).toEqual({ type: T.CHALLENGE, authmethod: "password", extra: {} });
    expect(identity(await authenticate(c, "s3cret"))).toEqual({ type: T.WELCOME, authid: "alice", authrole: "staff", authmethod: "password", authprovider: "static" });
    const d = r.connect();
    await hello(d, { authmethods: ["password"], authid: "alice" });
    expect(await authenticate(d, "wrong")).toEqual(FAILED);
    await d.waitClosed();
  });

  test("ticket: static tickets and router-issued tickets; expired, forged, revoked and foreign ones fail", async () => {
    const r0 = securedRouter();
    const issuer = createTicketIssuer({ now: () => r0.clock.now() });
    const r = securedRouter({ auth: { ticketIssuer: issuer, backoff: { baseMs: 0 } }, clock: r0.clock });
    seedAlice(r.repo, { authrole: "operator" });
    const tryTicket = async (ticket: string) => {
      const c = r.connect();
      expect(await hello(c, { authmethods: ["ticket"], authid: "alice" })).toEqual({ type: T.CHALLENGE, authmethod: "ticket", extra: {} });
      return await authenticate(c, ticket);
    };
    expect(identity(await tryTicket("tkt-1"))).toEqual({ type: T.WELCOME, authid: "alice", authrole: "operator", authmethod: "ticket", authprovider: "static" });
    expect(await tryTicket("tkt-2")).toEqual(FAILED);
    const { ticket, claims } = issuer.issue({ realm: "realm1", authid: "alice", ttlSeconds: 60 });
    expect(identity(await tryTicket(ticket))).toMatchObject({ type: T.WELCOME, authid: "alice", authmethod: "ticket" });
    // Forged: payload changed, signature kept.
    const [h, , s] = ticket.split(".");
    const forgedBody = btoa(JSON.stringify({ ...claims, sub: "alice", exp: claims.exp + 9999 })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    expect(await tryTicket(`${h}.${forgedBody}.${s}`)).toEqual(FAILED);
    // Another issuer's key, another user, another realm.
    expect(await tryTicket(createTicketIssuer({ now: () => r0.clock.now() }).issue({ realm: "realm1", authid: "alice" }).ticket)).toEqual(FAILED);
    expect(await tryTicket(issuer.issue({ realm: "realm1", authid: "bob" }).ticket)).toEqual(FAILED);
    expect(await tryTicket(issuer.issue({ realm: "realm2", authid: "alice" }).ticket)).toEqual(FAILED);
    // Expired.
    r0.clock.advance(61_000);
    expect(await tryTicket(ticket)).toEqual(FAILED);
    // Revoked.
    const t2 = issuer.issue({ realm: "realm1", authid: "alice" });
    issuer.revoke(t2.claims.jti, t2.claims.exp);
    expect(await tryTicket(t2.ticket)).toEqual(FAILED);
  });

  test("wampcra salted: Autobahn-style challenge JSON, salt/iterations/keylen; signature with the derived key", async () => {
    const r = securedRouter();
    const alice = seedAlice(r.repo);
    const c = r.connect();
    const ch = await hello(c, { authmethods: ["wampcra"], authid: "alice" }) as Challenge;
    expect(ch.type).toBe(T.CHALLENGE);
    expect(ch.authmethod).toBe("wampcra");
    const cra = alice.credentials.password!.cra!;
    expect(ch.extra).toMatchObject({ salt: cra.salt, iterations: 10, keylen: 32 });
    const body = JSON.parse(ch.extra.challenge as string);
    expect(Object.keys(body).sort()).toEqual(["authid", "authmethod", "authprovider", "authrole", "nonce", "session", "timestamp"]);
    expect(body).toMatchObject({ authid: "alice", authrole: "staff", authmethod: "wampcra", authprovider: "static" });
    const w = await authenticate(c, craSign(craKey("s3cret", cra.salt as string, 10, 32), ch.extra.challenge as string)) as Welcome;
    expect(identity(w)).toEqual({ type: T.WELCOME, authid: "alice", authrole: "staff", authmethod: "wampcra", authprovider: "static" });
    expect(w.session).toBe(body.session);
    const d = r.connect();
    const ch2 = await hello(d, { authmethods: ["wampcra"], authid: "alice" }) as Challenge;
    expect(await authenticate(d, craSign(craKey("wrong", cra.salt as string, 10, 32), ch2.extra.challenge as string))).toEqual(FAILED);
  });

  test("wampcra unsalted: no salt in the challenge, signed with the secret itself", async () => {
    const r = securedRouter();
    seedAlice(r.repo, {}, { ...CHEAP, craUnsalted: true });
    const c = r.connect();
    const ch = await hello(c, { authmethods: ["wampcra"], authid: "alice" }) as Challenge;
    expect(Object.keys(ch.extra)).toEqual(["challenge"]);
    expect(identity(await authenticate(c, craSign("s3cret", ch.extra.challenge as string))).authmethod).toBe("wampcra");
  });

  test("cryptosign: 32-byte hex challenge, 96- and 64-byte signatures, a replayed signature fails", async () => {
    const r = securedRouter();
    seedAlice(r.repo);
    const c = r.connect();
    const ch = await hello(c, { authmethods: ["cryptosign"], authid: "alice", authextra: { pubkey: ALICE_PK } }) as Challenge;
    expect(ch.authmethod).toBe("cryptosign");
    expect(Object.keys(ch.extra).sort()).toEqual(["challenge", "channel_binding"]);
    expect(ch.extra.challenge).toMatch(/^[0-9a-f]{64}$/);
    expect(ch.extra.channel_binding).toBeNull();
    const sig = cryptosignSign(ch.extra.challenge as string);
    expect(identity(await authenticate(c, sig))).toEqual({ type: T.WELCOME, authid: "alice", authrole: "staff", authmethod: "cryptosign", authprovider: "static" });
    // 64-byte form, found by key without an authid.
    const d = r.connect();
    const ch2 = await hello(d, { authmethods: ["cryptosign"], authextra: { pubkey: ALICE_PK } }) as Challenge;
    expect(identity(await authenticate(d, cryptosignSign(ch2.extra.challenge as string).slice(0, 128))).authid).toBe("alice");
    // Replay of the first signature against a fresh challenge.
    const e = r.connect();
    await hello(e, { authmethods: ["cryptosign"], authid: "alice", authextra: { pubkey: ALICE_PK } });
    expect(await authenticate(e, sig)).toEqual(FAILED);
  });

  test("cryptosign refuses tls-unique channel binding on a connection that is not TLS, and unknown keys", async () => {
    const r = securedRouter();
    seedAlice(r.repo);
    const c = r.connect();
    const a = await hello(c, { authmethods: ["cryptosign"], authid: "alice", authextra: { pubkey: ALICE_PK, channel_binding: "tls-unique" } }) as Abort;
    expect(a.type).toBe(T.ABORT);
    expect(a.reason).toBe("wamp.error.authentication_failed");
    const d = r.connect();
    expect(await hello(d, { authmethods: ["cryptosign"], authid: "alice", authextra: { pubkey: "ab".repeat(32) } })).toEqual(FAILED);
  });

  for (const kdf of ["argon2id13", "pbkdf2"] as const) {
    test(`wamp-scram (${kdf}): CHALLENGE per spec, ClientProof accepted, WELCOME.authextra.verifier is the ServerSignature`, async () => {
      const r = securedRouter();
      seedAlice(r.repo, {}, { ...CHEAP, scramKdf: kdf, scramIterations: kdf === "pbkdf2" ? 16 : 1 });
      const c = r.connect();
      const nonce = "egVDf3DMJh0=";
      const ch = await hello(c, { authmethods: ["wamp-scram"], authid: "alice", authextra: { nonce, channel_binding: null } }) as Challenge;
      expect(ch.authmethod).toBe("wamp-scram");
      expect(Object.keys(ch.extra).sort()).toEqual(["iterations", "kdf", "memory", "nonce", "salt"]);
      expect(ch.extra.kdf).toBe(kdf);
      expect((ch.extra.nonce as string).startsWith(nonce)).toBe(true);
      expect(ch.extra.memory).toBe(kdf === "pbkdf2" ? null : 64);
      const { proof, verifier } = scramClient("s3cret", "alice", nonce, ch.extra, kdf);
      const w = await authenticate(c, proof, { nonce: ch.extra.nonce, channel_binding: null, cbind_data: null }) as Welcome;
      expect(identity(w)).toEqual({ type: T.WELCOME, authid: "alice", authrole: "staff", authmethod: "wamp-scram", authprovider: "static" });
      expect(w.details.authextra).toEqual({ verifier });
      // Wrong password; then a nonce that is not the challenge's.
      const d = r.connect();
      const ch2 = await hello(d, { authmethods: ["wamp-scram"], authid: "alice", authextra: { nonce } }) as Challenge;
      expect(await authenticate(d, scramClient("nope", "alice", nonce, ch2.extra, kdf).proof, { nonce: ch2.extra.nonce })).toEqual(FAILED);
      const e = r.connect();
      const ch3 = await hello(e, { authmethods: ["wamp-scram"], authid: "alice", authextra: { nonce } }) as Challenge;
      expect(await authenticate(e, scramClient("s3cret", "alice", nonce, ch3.extra, kdf).proof, { nonce: ch.extra.nonce })).toEqual(FAILED);
    });
  }

  test("draft SCRAM of Autobahn-Python 22.x (authmethod scram): argon2id-13, no memory:null, scram_server_signature", async () => {
    const r = securedRouter();
    seedAlice(r.repo);
    const c = r.connect();
    const nonce = "AAECAwQFBgcICQoLDA0ODw==";
    const ch = await hello(c, { authmethods: ["scram"], authid: "alice", authextra: { nonce } }) as Challenge;
    expect(ch.authmethod).toBe("scram");
    expect(ch.extra).toMatchObject({ kdf: "argon2id-13", iterations: 1, memory: 64 });
    expect(Object.keys(ch.extra).sort()).toEqual(["iterations", "kdf", "memory", "nonce", "salt"]);
    const { proof, signature } = draftScramClient("s3cret", "alice", nonce, ch.extra);
    const w = await authenticate(c, proof) as Welcome;
    expect(identity(w)).toEqual({ type: T.WELCOME, authid: "alice", authrole: "staff", authmethod: "scram", authprovider: "static" });
    expect(w.details.authextra).toEqual({ scram_server_signature: signature });
    // pbkdf2 credentials have no draft keys: the draft client is not offered SCRAM.
    const p = securedRouter();
    seedAlice(p.repo, {}, { ...CHEAP, scramKdf: "pbkdf2", scramIterations: 16 });
    expect(await hello(p.connect(), { authmethods: ["scram"], authid: "alice", authextra: { nonce } })).toEqual(FAILED);
  });

  test("trust is offered only where the sources hook allows it, and the authid must exist", async () => {
    const r = securedRouter();
    seedAlice(r.repo);
    expect(await hello(r.connect(), { authmethods: ["trust"], authid: "alice" })).toEqual(FAILED);
    const s = securedRouter({ auth: { allowedAuthmethods: (_realm, _authid, remote) => (remote === undefined ? ["trust"] : []), backoff: { baseMs: 0 } } });
    seedAlice(s.repo);
    expect(identity(await hello(s.connect(), { authmethods: ["trust"], authid: "alice" }))).toEqual({ type: T.WELCOME, authid: "alice", authrole: "staff", authmethod: "trust", authprovider: "static" });
    expect(await hello(s.connect(), { authmethods: ["trust"], authid: "mallory" })).toEqual(FAILED);
  });

  test("the method is the first of the client's list the realm, user and source allow", async () => {
    const r = securedRouter({ auth: { allowedAuthmethods: () => ["wampcra", "ticket"], backoff: { baseMs: 0 } } });
    seedAlice(r.repo, { credentials: { tickets: [] , authorizedKeys: [ALICE_PK] } });
    // cryptosign: not allowed from this source; password: no credentials; ticket: none stored.
    expect(await hello(r.connect(), { authmethods: ["cryptosign", "password", "ticket"], authid: "alice", authextra: { pubkey: ALICE_PK } })).toEqual(FAILED);
    const t = securedRouter();
    seedAlice(t.repo);
    expect(await hello(t.connect(), { authmethods: ["foo", "ticket", "password"], authid: "alice" })).toEqual({ type: T.CHALLENGE, authmethod: "ticket", extra: {} });
  });

  test("unknown authmethod or unknown user: clean ABORT; disabled users fail like wrong passwords", async () => {
    const r = securedRouter({}, ["ticket"]);
    seedAlice(r.repo);
    expect(await hello(r.connect(), { authmethods: ["kerberos"], authid: "alice" })).toEqual({
      type: T.ABORT, details: { message: 'realm "realm1" accepts none of [kerberos]; it accepts: ticket' }, reason: "wamp.error.no_auth_method",
    });
    expect(await hello(r.connect(), {})).toMatchObject({ type: T.ABORT, reason: "wamp.error.no_auth_method" });
    expect(await hello(r.connect(), { authmethods: ["ticket"], authid: "nobody" })).toEqual(FAILED);
    seedAlice(r.repo, { enabled: false });
    expect(await hello(r.connect(), { authmethods: ["ticket"], authid: "alice" })).toEqual(FAILED);
  });

  test("AUTHENTICATE before HELLO, or any other message after CHALLENGE, is a protocol violation", async () => {
    const r = securedRouter();
    seedAlice(r.repo);
    const c = r.connect();
    c.send({ type: T.AUTHENTICATE, signature: "x", extra: {} });
    expect(await c.nextOfType<Abort>(T.ABORT)).toMatchObject({ reason: "wamp.error.protocol_violation" });
    const d = r.connect();
    await hello(d, { authmethods: ["ticket"], authid: "alice" });
    d.send({ type: T.HELLO, realm: "realm1", details: { roles: {} } });
    expect(await d.nextOfType<Abort>(T.ABORT)).toEqual({
      type: T.ABORT, details: { message: "expected AUTHENTICATE after CHALLENGE, got HELLO" }, reason: "wamp.error.protocol_violation",
    });
    await d.waitClosed();
  });

  test("an unanswered CHALLENGE times out with ABORT", async () => {
    const r = securedRouter();
    seedAlice(r.repo);
    const c = r.connect();
    await hello(c, { authmethods: ["ticket"], authid: "alice" });
    r.clock.advance(30_000);
    expect(await c.nextOfType<Abort>(T.ABORT)).toEqual({ type: T.ABORT, details: { message: "authentication timed out" }, reason: "wamp.error.authentication_failed" });
  });

  test("anonymous still joins where the realm allows it; security disabled keeps today's behaviour", async () => {
    const r = securedRouter();
    expect(await hello(r.connect(), {})).toMatchObject({ type: T.WELCOME, details: { authrole: "anonymous", authmethod: "anonymous" } });
    r.repo.putRealm({ ...r.repo.realm("realm1")!, securityEnabled: false });
    expect(await hello(r.connect(), { authmethods: ["ticket"], authid: "alice" })).toMatchObject({ type: T.ABORT, reason: "wamp.error.no_auth_method" });
    expect(await hello(r.connect(), {})).toMatchObject({ type: T.WELCOME, details: { authmethod: "anonymous" } });
  });
});

describe("realm state", () => {
  test("a realm with allowConnections false refuses every HELLO", async () => {
    const r = securedRouter();
    r.repo.putRealm({ ...r.repo.realm("realm1")!, allowConnections: false });
    expect(await hello(r.connect(), {})).toEqual({
      type: T.ABORT, details: { message: 'realm "realm1" does not allow connections' }, reason: "wamp.error.not_authorized",
    });
  });
});
