import type { Dict } from "../wamp/messages.ts";
import type { UserRecord } from "../store/security_records.ts";
import type { AuthIdentity } from "./authenticator.ts";

/** What a method sees of a HELLO on a realm with security enabled. */
export interface AuthAttempt {
  realm: string;
  /** HELLO.Details.authid, when given. */
  authid?: string;
  /** The user named by authid (absent when there is none or it is disabled). */
  user?: UserRecord;
  authextra: Dict;
  /** The session id the WELCOME will carry (WAMP-CRA puts it into its challenge). */
  session: number;
  remoteAddress?: string;
  /** Whether the transport is TLS, and its tls-unique channel id when the runtime exposes it. */
  tls: boolean;
  channelId?: Uint8Array;
  now: number;
  /** Finds the realm's user holding this Ed25519 public key (cryptosign without an authid). */
  userByKey(pubkeyHex: string): UserRecord | undefined;
}

export type AuthFailure = { error: string };

/** A CHALLENGE to send, and how to check the AUTHENTICATE that answers it (once). */
export interface PendingChallenge {
  extra: Dict;
  verify(signature: string, extra: Dict): AuthIdentity | AuthFailure;
}

/**
 * One method on a realm with security enabled. `usable` tells whether a user has the
 * credentials the method needs (the offered set is realm ∩ user ∩ client ∩ source).
 * `start` either decides at once (trust) or returns a challenge.
 */
export interface SecureAuthenticator {
  readonly method: string;
  /** The method name sent in CHALLENGE (defaults to `method`). */
  readonly challengeName?: string;
  usable(user: UserRecord | undefined): boolean;
  start(a: AuthAttempt): AuthIdentity | PendingChallenge | AuthFailure;
}

/** WAMP identity of a repository user: authrole = user.authrole ?? first group ?? "user". */
export function identityOf(user: UserRecord, authmethod: string, authextra?: Dict): AuthIdentity {
  const group = user.groups.find((g) => g !== "all");
  const id: AuthIdentity = { authid: user.authid, authrole: user.authrole ?? group ?? "user", authmethod, authprovider: "static" };
  if (authextra) id.authextra = authextra;
  return id;
}

export const FAILED: AuthFailure = { error: "authentication failed" };
