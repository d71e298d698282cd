/**
 * Router-issued tickets: compact JWTs signed with Ed25519 ("alg": "EdDSA"). Claims: iss, sub
 * (authid), aud (realm), authrole, scope, iat, exp (seconds), jti. A revoked jti is refused
 * until the ticket would have expired anyway; `revokeAll` refuses every ticket of one authid on
 * one realm issued up to now. The admin procedure `bondy.ticket.issue` calls `issue`; the
 * ticket method calls `verify`.
 *
 * With a `state` store, the signing key (generated once, on first boot) and the revocations
 * are kept there, so tickets and revocations survive a restart. Revocation entries carry their
 * own expiry and are pruned, so the list stays bounded by the tickets still alive.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import type { Store } from "../store/store.ts";
import { fromHex, randomBytes, toHex, utf8 } from "./_crypto.ts";

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
  /** Refuses every ticket for authid on realm issued up to now (until the longest could expire). */
  revokeAll(realm: string, authid: string): void;
  readonly publicKeyHex: string;
}

/** What the issuer keeps durable: a slice of the Store (src/store), so tests pass a memory store. */
export type TicketIssuerState = Pick<Store, "get" | "put" | "list" | "batch">;

// Store keys. The signing key is a secret: it is never logged, and only its public half is shown.
const KEY_SIGNING = "tickets/signing_key";
const PREFIX_JTI = "tickets/revoked/";
const PREFIX_ALL = "tickets/revoked_all/";
interface RevokedAll {
  /** Tickets with iat (seconds) up to this are refused. */
  before: number;
  /** When the entry can go: `before` + the longest lifetime (seconds). */
  until: number;
}

export interface TicketIssuerOptions {
  /** 32-byte Ed25519 secret key; else the one in `state` (created there once), else random per process. */
  secretKey?: Uint8Array;
  /** Durable home of the signing key and the revocations; absent, both end with the process. */
  state?: TicketIssuerState;
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
  const state = opts.state;
  const secretKey = opts.secretKey ?? signingKey(state);
  const publicKey = ed25519.getPublicKey(secretKey);
  const now = opts.now ?? Date.now;
  const iss = opts.issuer ?? "causeway";
  const maxTtl = opts.maxTtlSeconds ?? 30 * 24 * 3600;
  // In-memory mirrors of the stored revocations (this process is the store's only writer).
  const revoked = new Map<string, number>();
  const revokedAll = new Map<string, RevokedAll>();
  for (const e of state?.list<{ exp: number }>(PREFIX_JTI) ?? []) revoked.set(e.key.slice(PREFIX_JTI.length), e.value.exp);
  for (const e of state?.list<RevokedAll>(PREFIX_ALL) ?? []) revokedAll.set(e.key.slice(PREFIX_ALL.length), e.value);
  const allKey = (realm: string, authid: string) => `${encodeURIComponent(realm)}/${encodeURIComponent(authid)}`;
  /** Drops revocations whose tickets have expired anyway, in memory and in the store. */
  const prune = (t: number) => {
    const ops: { op: "delete"; key: string }[] = [];
    for (const [jti, exp] of revoked) if (exp <= t) { revoked.delete(jti); ops.push({ op: "delete", key: PREFIX_JTI + jti }); }
    for (const [k, v] of revokedAll) if (v.until <= t) { revokedAll.delete(k); ops.push({ op: "delete", key: PREFIX_ALL + k }); }
    if (ops.length) state?.batch(ops);
  };
  prune(now() / 1000);
  const header = b64url(utf8(JSON.stringify({ alg: "EdDSA", typ: "JWT" })));

  return {
    publicKeyHex: toHex(publicKey),
    issue(req) {
      let iat = Math.floor(now() / 1000);
      // A ticket issued in the same second as a revoke_all would be refused at birth: date it
      // one second later (iat has whole seconds; revocation fails closed within that second).
      const all = revokedAll.get(allKey(req.realm, req.authid));
      if (all && all.before >= iat) iat = all.before + 1;
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
      prune(t);
      if (typeof claims.exp !== "number" || claims.exp <= t) return { error: "ticket expired" };
      if (claims.aud !== realm || claims.iss !== iss) return { error: "ticket is for another realm" };
      if (revoked.has(claims.jti)) return { error: "ticket revoked" };
      const all = revokedAll.get(allKey(realm, String(claims.sub)));
      if (all && typeof claims.iat === "number" && claims.iat <= all.before) return { error: "ticket revoked" };
      return claims;
    },
    revoke(jti, exp) {
      revoked.set(jti, exp);
      state?.put(PREFIX_JTI + jti, { exp });
    },
    revokeAll(realm, authid) {
      const before = Math.floor(now() / 1000);
      const entry: RevokedAll = { before, until: before + maxTtl + 1 };
      const k = allKey(realm, authid);
      revokedAll.set(k, entry);
      state?.put(PREFIX_ALL + k, entry);
    },
  };
}

/** The stored signing key, created (once) when the store has none. */
function signingKey(state: TicketIssuerState | undefined): Uint8Array {
  if (!state) return randomBytes(32);
  const stored = fromHex(state.get<{ secretKey?: string }>(KEY_SIGNING)?.secretKey);
  if (stored && stored.length === 32) return stored;
  const fresh = randomBytes(32);
  state.put(KEY_SIGNING, { secretKey: toHex(fresh), created: new Date().toISOString() });
  return fresh;
}
