/**
 * Derives the stored material for password- and ticket-based methods (clear secrets are never
 * stored; see PasswordCredentials in store/security_records.ts). Each method checks its own
 * dict:
 * - pbkdf2 (password method): { salt, iterations, hash } — PBKDF2-HMAC-SHA256, base64 fields;
 * - cra (wampcra): { salt, iterations, keylen, key } — `key` is what Autobahn's `derive_key`
 *   computes from CHALLENGE.extra salt/iterations/keylen: base64(PBKDF2-HMAC-SHA256(password,
 *   utf8(salt), iterations, keylen)). WAMP-CRA signs with it, so it is password-equivalent for
 *   that method (inherent to WAMP-CRA);
 * - scram (wamp-scram): { kdf, salt, iterations, memory, storedKey, serverKey } per the spec's
 *   "Data Stored on the Server".
 * Every user gets fresh random salts. `opts` lets tests choose cheap KDF costs.
 */
import { argon2id } from "@noble/hashes/argon2.js";
import { pbkdf2 } from "@noble/hashes/pbkdf2.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Dict, PasswordCredentials, TicketCredential } from "../store/security_records.ts";
import { constantTimeEqual, fromB64, randomBytes, toB64, utf8 } from "./_crypto.ts";

export type ScramKdf = "argon2id13" | "pbkdf2";

export interface CredentialOptions {
  /** PBKDF2 iterations of the password method's hash (default 100000). */
  pbkdf2Iterations?: number;
  /** WAMP-CRA salted key: iterations (default 1000, Autobahn's default) and key length (32). */
  craIterations?: number;
  craKeylen?: number;
  /** Omit the WAMP-CRA salt (an unsalted secret: the client signs with the password itself). */
  craUnsalted?: boolean;
  /** WAMP-SCRAM KDF (default argon2id13) and its costs. */
  scramKdf?: ScramKdf;
  /** argon2id: time cost (default 3); pbkdf2: iterations (default 100000). */
  scramIterations?: number;
  /** argon2id memory cost in KiB (default 19456). */
  scramMemory?: number;
}

export function derivePasswordCredentials(password: string, opts: CredentialOptions = {}): PasswordCredentials {
  const pw = utf8(normalize(password));
  const pSalt = randomBytes(16);
  const pIter = opts.pbkdf2Iterations ?? 100_000;
  const pbkdf2Dict = { salt: toB64(pSalt), iterations: pIter, hash: toB64(pbkdf2(sha256, pw, pSalt, { c: pIter, dkLen: 32 })) };

  let cra: Dict;
  if (opts.craUnsalted) {
    // Unsalted WAMP-CRA signs with the secret itself, so it must be kept as is: a
    // password-equivalent secret in the store (opt-in per user: wampcraSalted: false).
    cra = { key: password };
  } else {
    const salt = toB64(randomBytes(16));
    const iterations = opts.craIterations ?? 1000;
    const keylen = opts.craKeylen ?? 32;
    cra = { salt, iterations, keylen, key: craDerivedKey(password, salt, iterations, keylen) };
  }

  const kdf = opts.scramKdf ?? "argon2id13";
  const sSalt = randomBytes(16);
  const iterations = opts.scramIterations ?? (kdf === "pbkdf2" ? 100_000 : 3);
  const memory = kdf === "argon2id13" ? opts.scramMemory ?? 19_456 : null;
  const salted = scramSaltedPassword(password, sSalt, kdf, iterations, memory ?? 0);
  const scram: Dict = { kdf, salt: toB64(sSalt), iterations, memory, ...scramKeys(salted) };
  if (kdf === "argon2id13") {
    // Autobahn-Python 22.x's draft client keys its HMACs with the unpadded base64 text of the
    // argon2id output instead of the raw bytes; its keys are kept beside the spec's.
    const draft = scramKeys(utf8(toB64(salted).replace(/=+$/, "")));
    scram.draftStoredKey = draft.storedKey;
    scram.draftServerKey = draft.serverKey;
  }
  return { pbkdf2: pbkdf2Dict, cra, scram };
}

/** WAMP-SCRAM StoredKey = SHA256(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key"). */
function scramKeys(salted: Uint8Array): { storedKey: string; serverKey: string } {
  const clientKey = hmac(sha256, salted, utf8("Client Key"));
  return { storedKey: toB64(sha256(clientKey)), serverKey: toB64(hmac(sha256, salted, utf8("Server Key"))) };
}

/** Autobahn's `derive_key`: base64(PBKDF2-HMAC-SHA256(secret, utf8(salt), iterations, keylen)). */
export function craDerivedKey(secret: string, salt: string, iterations: number, keylen: number): string {
  return toB64(pbkdf2(sha256, utf8(secret), utf8(salt), { c: iterations, dkLen: keylen }));
}

/** WAMP-SCRAM SaltedPassword = KDF(Normalize(password), salt, params...), 32 bytes. */
export function scramSaltedPassword(password: string, salt: Uint8Array, kdf: ScramKdf, iterations: number, memory: number): Uint8Array {
  const pw = utf8(normalize(password));
  if (kdf === "pbkdf2") return pbkdf2(sha256, pw, salt, { c: iterations, dkLen: 32 });
  // WAMP-SCRAM fixes parallelism at 1 and version 0x13.
  return argon2id(pw, salt, { t: iterations, m: memory, p: 1, dkLen: 32, version: 0x13 });
}

/** Checks a clear-text password against the password method's `pbkdf2` dict (constant time). */
export function verifyPassword(creds: PasswordCredentials | undefined, password: string): boolean {
  const d = creds?.pbkdf2;
  const salt = fromB64(d?.salt);
  const hash = fromB64(d?.hash);
  const c = d?.iterations;
  if (!salt || !hash || typeof c !== "number" || c < 1) return false;
  return constantTimeEqual(pbkdf2(sha256, utf8(normalize(password)), salt, { c, dkLen: hash.length }), hash);
}

export interface TicketOptions {
  /** ISO 8601 expiry of the ticket. */
  expires?: string;
  /** PBKDF2 iterations (default 10000: tickets are random, long secrets). */
  iterations?: number;
}

export function deriveTicketCredential(ticket: string, opts: TicketOptions = {}): TicketCredential {
  const salt = randomBytes(16);
  const iterations = opts.iterations ?? 10_000;
  const hash = { alg: "pbkdf2-sha256", salt: toB64(salt), iterations, hash: toB64(pbkdf2(sha256, utf8(ticket), salt, { c: iterations, dkLen: 32 })) };
  return opts.expires ? { hash, expires: opts.expires } : { hash };
}

/** True when `ticket` matches one of the user's unexpired static tickets (constant time each). */
export function verifyTicket(tickets: TicketCredential[] | undefined, ticket: string, nowMs: number): boolean {
  let ok = false;
  for (const t of tickets ?? []) {
    if (t.expires !== undefined && !(Date.parse(t.expires) > nowMs)) continue;
    const salt = fromB64(t.hash.salt);
    const hash = fromB64(t.hash.hash);
    const c = t.hash.iterations;
    if (!salt || !hash || typeof c !== "number" || c < 1) continue;
    // No early exit: every ticket is checked.
    if (constantTimeEqual(pbkdf2(sha256, utf8(ticket), salt, { c, dkLen: hash.length }), hash)) ok = true;
  }
  return ok;
}

/**
 * The spec asks for SASLprep (RFC 4013); NFKC is its normalization step. The mapping and
 * prohibition tables are not applied (ASCII and ordinary Unicode passwords are unaffected).
 */
function normalize(s: string): string {
  return s.normalize("NFKC");
}
