import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { constantTimeEqual, fromB64, randomBytes, toB64, utf8 } from "./_crypto.ts";
import { FAILED, identityOf, type SecureAuthenticator } from "./secure_authenticator.ts";

/**
 * WAMP "Challenge Response Authentication" (wampcra), as Autobahn clients speak it: the
 * challenge is a JSON string {authid, authrole, authmethod, authprovider, nonce, timestamp,
 * session}; the client answers base64(HMAC-SHA256(key, challenge)) where key is the secret, or
 * with salted credentials the PBKDF2 key it derives from CHALLENGE.extra salt/iterations/keylen.
 */
export function createWampCraAuthenticator(): SecureAuthenticator {
  return {
    method: "wampcra",
    usable: (u) => typeof u?.credentials.password?.cra?.key === "string",
    start: (a) => {
      const user = a.user;
      const cra = user?.credentials.password?.cra;
      if (!user || typeof cra?.key !== "string") return FAILED;
      const identity = identityOf(user, "wampcra");
      const challenge = JSON.stringify({
        authid: identity.authid,
        authrole: identity.authrole,
        authmethod: "wampcra",
        authprovider: identity.authprovider,
        nonce: toB64(randomBytes(16)),
        timestamp: new Date(a.now).toISOString(),
        session: a.session,
      });
      const extra: Record<string, unknown> = { challenge };
      if (typeof cra.salt === "string") Object.assign(extra, { salt: cra.salt, iterations: cra.iterations, keylen: cra.keylen });
      const expected = hmac(sha256, utf8(cra.key), utf8(challenge));
      return {
        extra,
        verify: (signature) => {
          const got = fromB64(signature.trim());
          return got && constantTimeEqual(got, expected) ? identity : FAILED;
        },
      };
    },
  };
}
