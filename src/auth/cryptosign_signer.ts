import { ed25519 } from "@noble/curves/ed25519.js";
import { fromHex, toHex } from "./_crypto.ts";

/**
 * The client side of WAMP-Cryptosign, for sessions this process opens itself (the edge's uplink
 * to a core). Keys are Ed25519 32-byte seeds in hex, the form `causeway` reads from a key file or
 * environment variable. Lives in auth/ because crypto libraries may only be imported here.
 */

function seed(privateKeySeedHex: string): Uint8Array {
  const sk = fromHex(privateKeySeedHex.trim());
  if (!sk || sk.length !== 32) {
    throw new Error("cryptosign private key must be a 32-byte Ed25519 seed written as 64 hex characters");
  }
  return sk;
}

/** The hex public key to announce in HELLO.Details.authextra.pubkey. */
export function cryptosignPublicKey(privateKeySeedHex: string): string {
  return toHex(ed25519.getPublicKey(seed(privateKeySeedHex)));
}

/**
 * AUTHENTICATE.Signature for a CHALLENGE.Extra.challenge (hex): the 64-byte Ed25519 signature
 * followed by the signed challenge (the 96-byte form every WAMP client library sends).
 */
export function cryptosignSign(privateKeySeedHex: string, challengeHex: string): string {
  const msg = fromHex(challengeHex);
  if (!msg || msg.length === 0) throw new Error("cryptosign challenge must be non-empty hex");
  return toHex(ed25519.sign(msg, seed(privateKeySeedHex))) + toHex(msg);
}
