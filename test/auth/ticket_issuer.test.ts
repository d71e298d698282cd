import { describe, expect, test } from "bun:test";
import { createTicketIssuer } from "../../src/auth/mod.ts";

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
});
