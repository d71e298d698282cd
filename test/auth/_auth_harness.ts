// A router whose realm1 has security enabled, users seeded from clear secrets with cheap KDF
// costs, and client-side computations of each method's answer (as a real client does them).
import { hmac } from "@noble/hashes/hmac.js";
import { pbkdf2 } from "@noble/hashes/pbkdf2.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { createMemoryStore, createSecurityRepository } from "../../src/store/mod.ts";
import type { SecurityRepository, UserRecord } from "../../src/store/security_records.ts";
import { type CredentialOptions, derivePasswordCredentials, deriveTicketCredential, scramSaltedPassword } from "../../src/auth/mod.ts";
import type { RouterOptions } from "../../src/router/mod.ts";
import { createManualClock } from "../../src/util/clock.ts";
import { localRouter } from "../_harness/local_router.ts";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Dict, Message } from "../../src/wamp/messages.ts";
import type { MessageClient } from "../_harness/message_client.ts";

export const CHEAP: CredentialOptions = { pbkdf2Iterations: 10, craIterations: 10, scramIterations: 1, scramMemory: 64 };
export const ROLES = { caller: {}, callee: {}, publisher: {}, subscriber: {} };

export const ALICE_SK = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
export const ALICE_PK = hex(ed25519.getPublicKey(ALICE_SK));

export function securedRouter(opts: Partial<RouterOptions> = {}, methods = ["anonymous", "trust", "password", "ticket", "wampcra", "cryptosign", "wamp-scram"]) {
  const repo: SecurityRepository = createSecurityRepository(createMemoryStore());
  repo.putRealm({ uri: "realm1", isPrototype: false, authmethods: methods, securityEnabled: true, allowConnections: true });
  const clock = createManualClock(Date.parse("2026-01-01T00:00:00Z"));
  const r = localRouter({ security: repo, clock, auth: { backoff: { baseMs: 0 } }, ...opts });
  return { repo, clock, ...r };
}

export function seedAlice(repo: SecurityRepository, over: Partial<UserRecord> = {}, cred: CredentialOptions = CHEAP): UserRecord {
  const u: UserRecord = {
    authid: "alice", groups: ["staff"], enabled: true, meta: {},
    credentials: { password: derivePasswordCredentials("s3cret", cred), tickets: [deriveTicketCredential("tkt-1", { iterations: 5 })], authorizedKeys: [ALICE_PK] },
    ...over,
  };
  repo.putUser("realm1", u);
  return u;
}

export function hello(c: MessageClient, details: Dict): Promise<Message> {
  c.send({ type: T.HELLO, realm: "realm1", details: { roles: ROLES, ...details } });
  return c.next((m) => m.type === T.CHALLENGE || m.type === T.WELCOME || m.type === T.ABORT);
}

export async function authenticate(c: MessageClient, signature: string, extra: Dict = {}): Promise<Message> {
  c.send({ type: T.AUTHENTICATE, signature, extra });
  return await c.next((m) => m.type === T.WELCOME || m.type === T.ABORT);
}

export function craSign(key: string, challenge: string): string {
  return b64(hmac(sha256, new TextEncoder().encode(key), new TextEncoder().encode(challenge)));
}

export function craKey(secret: string, salt: string, iterations: number, keylen: number): string {
  return b64(pbkdf2(sha256, new TextEncoder().encode(secret), new TextEncoder().encode(salt), { c: iterations, dkLen: keylen }));
}

/** A WAMP-SCRAM client per the spec's algorithm section: ClientProof and expected verifier. */
export function scramClient(password: string, authid: string, clientNonce: string, ch: Dict, kdf: "argon2id13" | "pbkdf2") {
  const salted = scramSaltedPassword(password, unb64(ch.salt as string), kdf, ch.iterations as number, (ch.memory as number) ?? 0);
  const clientKey = hmac(sha256, salted, enc("Client Key"));
  const storedKey = sha256(clientKey);
  const authMessage = `n=${authid},r=${clientNonce},r=${ch.nonce},s=${ch.salt},i=${ch.iterations},c=${b64(enc("n,,"))},r=${ch.nonce}`;
  const sig = hmac(sha256, storedKey, enc(authMessage));
  const proof = clientKey.map((x, i) => x ^ sig[i]);
  const serverKey = hmac(sha256, salted, enc("Server Key"));
  return { proof: b64(proof), verifier: b64(hmac(sha256, serverKey, enc(authMessage))) };
}

export function cryptosignSign(challengeHex: string, sk = ALICE_SK): string {
  const msg = unhex(challengeHex);
  return hex(ed25519.sign(msg, sk)) + challengeHex;
}

const enc = (s: string) => new TextEncoder().encode(s);
export function b64(b: Uint8Array): string {
  return btoa(String.fromCharCode(...b));
}
export function unb64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}
export function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
export function unhex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/**
 * Autobahn-Python 22.x's draft SCRAM client ("scram"): HMAC keys are the unpadded base64 text
 * of the argon2id output, and the AuthMessage carries "c=,r=…" without base64.
 */
export function draftScramClient(password: string, authid: string, clientNonce: string, ch: Dict) {
  const raw = scramSaltedPassword(password, unb64(ch.salt as string), "argon2id13", ch.iterations as number, ch.memory as number);
  const salted = enc(b64(raw).replace(/=+$/, ""));
  const clientKey = hmac(sha256, salted, enc("Client Key"));
  const authMessage = `n=${authid},r=${clientNonce},r=${ch.nonce},s=${ch.salt},i=${ch.iterations},c=,r=${ch.nonce}`;
  const sig = hmac(sha256, sha256(clientKey), enc(authMessage));
  const serverKey = hmac(sha256, salted, enc("Server Key"));
  return { proof: b64(clientKey.map((x, i) => x ^ sig[i])), signature: b64(hmac(sha256, serverKey, enc(authMessage))) };
}
