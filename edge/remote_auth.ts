import { cryptosignPublicKey, cryptosignSign } from "../src/auth/mod.ts";
import type { JoinOptions } from "./wamp_session.ts";

/** How a bridge's remote session authenticates to the core (secrets already resolved by config.ts). */
export type RemoteAuth =
  | { method: "anonymous"; authid?: string }
  | { method: "ticket"; authid: string; ticket: string }
  | { method: "cryptosign"; authid: string; privateKeyHex: string };

/** The HELLO details and CHALLENGE answer for `auth`. */
export function joinOptions(auth: RemoteAuth): Omit<JoinOptions, "realm"> {
  switch (auth.method) {
    case "anonymous":
      return { authid: auth.authid, authmethods: ["anonymous"] };
    case "ticket":
      return {
        authid: auth.authid, authmethods: ["ticket"],
        onChallenge: (m) => {
          if (m !== "ticket") throw new Error(`the core asked for ${m}, but this uplink is configured for ticket`);
          return auth.ticket;
        },
      };
    case "cryptosign": {
      // Computed now: a malformed key is a configuration error, reported before any connection.
      const pubkey = cryptosignPublicKey(auth.privateKeyHex);
      return {
        authid: auth.authid, authmethods: ["cryptosign"], authextra: { pubkey },
        onChallenge: (m, extra) => {
          if (m !== "cryptosign") throw new Error(`the core asked for ${m}, but this uplink is configured for cryptosign`);
          if (typeof extra.challenge !== "string") throw new Error("the cryptosign CHALLENGE has no challenge");
          return cryptosignSign(auth.privateKeyHex, extra.challenge);
        },
      };
    }
    default:
      throw new Error(`unknown uplink auth method ${JSON.stringify((auth as { method?: unknown }).method)}`);
  }
}
