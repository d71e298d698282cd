import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Dict } from "../store/security_records.ts";
import { constantTimeEqual, fromB64, randomBytes, toB64, utf8, xor } from "./_crypto.ts";
import { FAILED, identityOf, type SecureAuthenticator } from "./secure_authenticator.ts";

/**
 * WAMP-SCRAM (spec chapter "Salted Challenge Response Authentication"): HELLO.authextra.nonce
 * (client nonce, base64) → CHALLENGE {nonce: client+server nonce, salt, kdf, iterations,
 * memory} → AUTHENTICATE(ClientProof, {nonce, channel_binding, cbind_data}) → WELCOME with
 * authextra.verifier = base64(ServerSignature).
 *
 * `legacy` serves Autobahn-Python 22.x's draft client, which asks for authmethod "scram",
 * names the KDF "argon2id-13", builds "c=<binding>,r=…" without base64, takes no `memory: null`
 * reads the server signature from WELCOME.authextra.scram_server_signature, and keys its HMACs
 * with the base64 text of the argon2id output (credentials' draftStoredKey/draftServerKey), so
 * only argon2id credentials serve it.
 */
export function createScramAuthenticator(opts: { legacy?: boolean } = {}): SecureAuthenticator {
  const legacy = opts.legacy === true;
  return {
    method: legacy ? "scram" : "wamp-scram",
    usable: (u) => typeof u?.credentials.password?.scram?.[legacy ? "draftStoredKey" : "storedKey"] === "string",
    start: (a) => {
      const clientNonce = a.authextra.nonce;
      if (typeof clientNonce !== "string" || !fromB64(clientNonce) || clientNonce.length < 8) {
        return { error: "wamp-scram requires HELLO.Details.authextra.nonce (base64)" };
      }
      const binding = a.authextra.channel_binding ?? null;
      if (binding !== null) return { error: `channel binding ${JSON.stringify(binding)} is not available on this connection` };
      const scram = a.user?.credentials.password?.scram;
      const storedKey = fromB64(legacy ? scram?.draftStoredKey : scram?.storedKey);
      const serverKey = fromB64(legacy ? scram?.draftServerKey : scram?.serverKey);
      if (!a.user || !scram || !storedKey || !serverKey || typeof scram.salt !== "string" || typeof scram.iterations !== "number") return FAILED;
      const user = a.user;
      const nonce = clientNonce + toB64(randomBytes(16));
      const extra: Dict = { nonce, salt: scram.salt, kdf: kdfName(scram.kdf, legacy), iterations: scram.iterations };
      if (scram.kdf === "argon2id13" || !legacy) extra.memory = scram.kdf === "argon2id13" ? scram.memory : null;
      const clientFirstBare = `n=${escape(a.authid ?? "")},r=${clientNonce}`;
      const serverFirst = `r=${nonce},s=${scram.salt},i=${scram.iterations}`;
      return {
        extra,
        verify: (signature, ext) => {
          const proof = fromB64(signature);
          if (!proof || proof.length !== 32) return FAILED;
          let clientFinalNoProof: string;
          if (legacy) {
            clientFinalNoProof = `c=${ext.channel_binding ?? ""},r=${nonce}`;
          } else {
            if (ext.nonce !== nonce || (ext.channel_binding ?? null) !== binding || (ext.cbind_data ?? null) !== null) return FAILED;
            clientFinalNoProof = `c=${toB64(utf8("n,,"))},r=${ext.nonce}`;
          }
          const authMessage = utf8(`${clientFirstBare},${serverFirst},${clientFinalNoProof}`);
          const clientKey = xor(hmac(sha256, storedKey, authMessage), proof);
          if (!constantTimeEqual(sha256(clientKey), storedKey)) return FAILED;
          const serverSignature = toB64(hmac(sha256, serverKey, authMessage));
          return identityOf(user, legacy ? "scram" : "wamp-scram", legacy ? { scram_server_signature: serverSignature } : { verifier: serverSignature });
        },
      };
    },
  };
}

function kdfName(kdf: unknown, legacy: boolean): string {
  if (kdf === "argon2id13") return legacy ? "argon2id-13" : "argon2id13";
  return String(kdf);
}

/** RFC 5802 saslname escaping used in AuthMessage. */
function escape(s: string): string {
  return s.replace(/=/g, "=3D").replace(/,/g, "=2C");
}

