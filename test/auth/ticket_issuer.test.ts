import { describe, expect, test } from "bun:test";
import { createTicketIssuer } from "../../src/auth/mod.ts";
import { createMemoryStore } from "../../src/store/mod.ts";

describe("router-issued tickets", () => {
  test("an issued ticket is an EdDSA JWT whose claims verify for its realm until it expires", () => {
    let now = 1_700_000_000_000;
    const issuer = createTicketIssuer({ now: () => now, secretKey: new Uint8Array(32).fill(7) });
    const { ticket, claims } = issuer.issue({ realm: "realm1", authid: "alice", authrole: "ops", scope: { client_id: "app" }, ttlSeconds: 10 });
    const [h] = ticket.split(".");
    expect(JSON.parse(atob(h))).toEqual({ alg: "EdDSA", typ: "JWT" });
    expect(claims).toMatchObject({ iss: "causeway", sub: "alice", aud: "realm1", authrole: "ops", scope: { client_id: "app" }, iat: 1_700_000_000, exp: 1_700_000_010 });
    expect(issuer.verify(ticket, "realm1")).toEqual(claims);
    expect(issuer.verify(ticket, "realm2")).toEqual({ error: "ticket is for another realm" });
    const [, body, sig] = ticket.split(".");
    const flipped = (sig[0] === "A" ? "B" : "A") + sig.slice(1);
    expect(issuer.verify(`${h}.${body}.${flipped}`, "realm1")).toEqual({ error: "bad ticket signature" });
    expect(issuer.verify("a.b", "realm1")).toEqual({ error: "not a router-issued ticket" });
    now += 10_000;
    expect(issuer.verify(ticket, "realm1")).toEqual({ error: "ticket expired" });
  });

  test("revoked tickets are refused; lifetimes are capped", () => {
    const issuer = createTicketIssuer({ maxTtlSeconds: 100 });
    const t = issuer.issue({ realm: "r", authid: "a", ttlSeconds: 10_000 });
    expect(t.claims.exp - t.claims.iat).toBe(100);
    issuer.revoke(t.claims.jti, t.claims.exp);
    expect(issuer.verify(t.ticket, "r")).toEqual({ error: "ticket revoked" });
  });

  test("with a store, the signing key and revocations survive a restart (a new issuer over the same store)", () => {
    let now = 1_700_000_000_000;
    const store = createMemoryStore();
    const first = createTicketIssuer({ state: store, now: () => now });
    const kept = first.issue({ realm: "realm1", authid: "alice", ttlSeconds: 600 });
    const revoked = first.issue({ realm: "realm1", authid: "alice", ttlSeconds: 600 });
    first.revoke(revoked.claims.jti, revoked.claims.exp);

    const second = createTicketIssuer({ state: store, now: () => now });
    expect(second.publicKeyHex).toBe(first.publicKeyHex);
    expect(second.verify(kept.ticket, "realm1")).toEqual(kept.claims);
    expect(second.verify(revoked.ticket, "realm1")).toEqual({ error: "ticket revoked" });
    // Without a store each issuer has its own key: the old ticket is foreign to it.
    expect(createTicketIssuer().verify(kept.ticket, "realm1")).toEqual({ error: "bad ticket signature" });
    // The key is stored once and is not the public key.
    expect(store.list("tickets/signing_key")).toHaveLength(1);

    // Revocations are pruned once their tickets would have expired anyway.
    now += 601_000;
    createTicketIssuer({ state: store, now: () => now });
    expect(store.list("tickets/revoked/")).toHaveLength(0);
  });

  test("revokeAll refuses an authid's earlier tickets on that realm, after a restart too, and not later ones", () => {
    let now = 1_700_000_000_000;
    const store = createMemoryStore();
    const issuer = createTicketIssuer({ state: store, now: () => now, maxTtlSeconds: 1000 });
    const a1 = issuer.issue({ realm: "realm1", authid: "alice" });
    const a2 = issuer.issue({ realm: "realm2", authid: "alice" });
    const b1 = issuer.issue({ realm: "realm1", authid: "bob" });
    now += 500;
    issuer.revokeAll("realm1", "alice");
    // Issued in the same second as the revoke_all: still valid (dated one second later).
    const a3 = issuer.issue({ realm: "realm1", authid: "alice" });
    const after = createTicketIssuer({ state: store, now: () => now, maxTtlSeconds: 1000 });
    for (const i of [issuer, after]) {
      expect(i.verify(a1.ticket, "realm1")).toEqual({ error: "ticket revoked" });
      expect(i.verify(a2.ticket, "realm2")).toEqual(a2.claims);
      expect(i.verify(b1.ticket, "realm1")).toEqual(b1.claims);
      expect(i.verify(a3.ticket, "realm1")).toEqual(a3.claims);
    }
    // The marker goes once every ticket it could refuse has expired.
    now += 1_002_000;
    createTicketIssuer({ state: store, now: () => now, maxTtlSeconds: 1000 });
    expect(store.list("tickets/revoked_all/")).toHaveLength(0);
  });
});
