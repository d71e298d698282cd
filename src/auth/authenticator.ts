import type { Dict } from "../wamp/messages.ts";

/** What a HELLO asks for, as the authenticators need it. */
export interface AuthRequest {
  realm: string;
  /** HELLO.Details.authmethods, or [] when the client sent none. */
  authmethods: string[];
  authid?: string;
  authextra?: Dict;
  details: Dict;
}

/** A successful authentication: the identity the session runs as. */
export interface AuthIdentity {
  authid: string;
  authrole: string;
  authmethod: string;
  authprovider: string;
  authextra?: Dict;
}

/**
 * One WAMP authentication method. Methods that need a CHALLENGE round trip (wampcra,
 * cryptosign, scram, ticket) will implement `challenge`/`verify`; methods that decide from the
 * HELLO alone (anonymous, trust) implement `authenticate` only.
 */
export interface Authenticator {
  readonly method: string;
  /** Returns the identity, or a failure reason (sent in ABORT.Details.message). */
  authenticate(req: AuthRequest): AuthIdentity | { error: string };
}
