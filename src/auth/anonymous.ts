import type { Authenticator } from "./authenticator.ts";

/**
 * WAMP "anonymous" authentication: anyone may join, as role `anonymous`. The authid the
 * client proposes is ignored (it proves nothing); each session gets a fresh opaque authid so
 * two anonymous sessions are never mistaken for the same principal.
 */
export function createAnonymousAuthenticator(opts: { authrole?: string } = {}): Authenticator {
  let n = 0;
  const stamp = Date.now().toString(36);
  return {
    method: "anonymous",
    authenticate: () => ({
      authid: `anonymous-${stamp}-${(++n).toString(36)}`,
      authrole: opts.authrole ?? "anonymous",
      authmethod: "anonymous",
      authprovider: "static",
    }),
  };
}
