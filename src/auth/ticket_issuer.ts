/**
 * Router-issued tickets: compact JWTs signed with Ed25519 ("alg": "EdDSA"). Claims: iss, sub
 * (authid), aud (realm), authrole, scope, iat, exp (seconds), jti. A revoked jti is refused
 * until the ticket would have expired anyway. The admin procedure `bondy.ticket.issue` calls
 * `issue`; the ticket method calls `verify`.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { randomBytes, toHex, utf8 } from "./_crypto.ts";

export interface TicketClaims {
  iss: string;
  sub: string;
  aud: string;
  authrole?: string;
  /** Free-form scope (e.g. { client_id }), opaque to the router. */
  scope?: Record<string, unknown>;
  iat: number;
  exp: number;
  jti: string;
}

export interface IssueRequest {
  realm: string;
  authid: string;
  authrole?: string;
  scope?: Record<string, unknown>;
  /** Lifetime in seconds (default 3600, at most maxTtlSeconds). */
  ttlSeconds?: number;
}

export interface TicketIssuer {
  issue(req: IssueRequest): { ticket: string; claims: TicketClaims };
  /** The claims of a valid, unexpired, unrevoked ticket for this realm, or why not. */
  verify(ticket: string, realm: string): TicketClaims | { error: string };
  revoke(jti: string, exp: number): void;
  readonly publicKeyHex: string;
}

export interface TicketIssuerOptions {
  /** 32-byte Ed25519 secret key; random per process when absent (tickets die with it). */
  secretKey?: Uint8Array;
  issuer?: string;
  now?: () => number;
  maxTtlSeconds?: number;
}

const b64url = (b: Uint8Array): string => {
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};
const unb64url = (s: string): Uint8Array | undefined => {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return undefined;
  try {
    const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
};

export function createTicketIssuer(opts: TicketIssuerOptions = {}): TicketIssuer {
  const secretKey = opts.secretKey ?? randomBytes(32);
  const publicKey = ed25519.getPublicKey(secretKey);
  const now = opts.now ?? Date.now;
  const iss = opts.issuer ?? "causeway";
  const maxTtl = opts.maxTtlSeconds ?? 30 * 24 * 3600;
  const revoked = new Map<string, number>();
  const header = b64url(utf8(JSON.stringify({ alg: "EdDSA", typ: "JWT" })));

  return {
    publicKeyHex: toHex(publicKey),
    issue(req) {
      const iat = Math.floor(now() / 1000);
      const ttl = Math.min(Math.max(1, Math.floor(req.ttlSeconds ?? 3600)), maxTtl);
      const claims: TicketClaims = { iss, sub: req.authid, aud: req.realm, iat, exp: iat + ttl, jti: toHex(randomBytes(16)) };
      if (req.authrole) claims.authrole = req.authrole;
      if (req.scope) claims.scope = req.scope;
      const body = `${header}.${b64url(utf8(JSON.stringify(claims)))}`;
      return { ticket: `${body}.${b64url(ed25519.sign(utf8(body), secretKey))}`, claims };
    },
    verify(ticket, realm) {
      const parts = ticket.split(".");
      if (parts.length !== 3 || parts[0] !== header) return { error: "not a router-issued ticket" };
      const sig = unb64url(parts[2]);
      const payload = unb64url(parts[1]);
      if (!sig || sig.length !== 64 || !payload) return { error: "malformed ticket" };
      let valid = false;
      try {
        valid = ed25519.verify(sig, utf8(`${parts[0]}.${parts[1]}`), publicKey);
      } catch {
        valid = false;
      }
      if (!valid) return { error: "bad ticket signature" };
      let claims: TicketClaims;
      try {
        claims = JSON.parse(new TextDecoder().decode(payload));
      } catch {
        return { error: "malformed ticket" };
      }
      const t = now() / 1000;
      for (const [jti, exp] of revoked) if (exp <= t) revoked.delete(jti);
      if (typeof claims.exp !== "number" || claims.exp <= t) return { error: "ticket expired" };
      if (claims.aud !== realm || claims.iss !== iss) return { error: "ticket is for another realm" };
      if (revoked.has(claims.jti)) return { error: "ticket revoked" };
      return claims;
    },
    revoke(jti, exp) {
      revoked.set(jti, exp);
    },
  };
}
