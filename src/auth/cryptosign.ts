import { ed25519 } from "@noble/curves/ed25519.js";
import { constantTimeEqual, fromHex, randomBytes, toHex, xor } from "./_crypto.ts";
import { type AuthAttempt, FAILED, identityOf, type SecureAuthenticator } from "./secure_authenticator.ts";

/**
 * WAMP-Cryptosign: HELLO.authextra.pubkey (hex Ed25519 key, one of the user's authorized keys)
 * → CHALLENGE {challenge: 32 random bytes hex, channel_binding} → AUTHENTICATE with the hex
 * signature, 64 bytes, or 96 bytes = signature + the signed message. With channel binding
 * "tls-unique" the signed message is challenge XOR the TLS channel id; a client that requires a
 * binding this connection cannot give is refused.
 */
export function createCryptosignAuthenticator(): SecureAuthenticator {
  return {
    method: "cryptosign",
    usable: (u) => (u?.credentials.authorizedKeys?.length ?? 0) > 0,
    start: (a) => {
      const pubkey = typeof a.authextra.pubkey === "string" ? a.authextra.pubkey.toLowerCase() : undefined;
      const key = fromHex(pubkey);
      if (!pubkey || !key || key.length !== 32) return { error: "cryptosign requires HELLO.Details.authextra.pubkey (32 bytes, hex)" };
      const binding = a.authextra.channel_binding ?? null;
      const channel = bindingData(a, binding);
      if ("error" in channel) return channel;
      const user = a.user ?? (a.authid === undefined ? a.userByKey(pubkey) : undefined);
      if (!user || !(user.credentials.authorizedKeys ?? []).some((k) => k.toLowerCase() === pubkey)) return FAILED;
      const challenge = randomBytes(32);
      const message = channel.id ? xor(challenge, channel.id) : challenge;
      return {
        extra: { challenge: toHex(challenge), channel_binding: binding },
        verify: (signature) => {
          const sig = fromHex(signature);
          if (!sig || (sig.length !== 64 && sig.length !== 96)) return FAILED;
          // The 96-byte form carries the message it signed: it must be the one we asked for.
          if (sig.length === 96 && !constantTimeEqual(sig.subarray(64), message)) return FAILED;
          let ok = false;
          try {
            ok = ed25519.verify(sig.subarray(0, 64), message, key);
          } catch {
            ok = false;
          }
          return ok ? identityOf(user, "cryptosign", { pubkey }) : FAILED;
        },
      };
    },
  };
}

function bindingData(a: AuthAttempt, binding: unknown): { id?: Uint8Array } | { error: string } {
  if (binding === null) return {};
  if (binding !== "tls-unique") return { error: `channel binding ${JSON.stringify(binding)} is not supported (only "tls-unique")` };
  if (!a.tls || !a.channelId) return { error: "channel binding tls-unique is not available on this connection (not TLS)" };
  return { id: a.channelId };
}
