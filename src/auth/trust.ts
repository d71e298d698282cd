import { FAILED, identityOf, type SecureAuthenticator } from "./secure_authenticator.ts";

/**
 * "trust": the claimed authid is believed without proof. Offered only where a source (CIDR)
 * explicitly allows it (see AuthServiceOptions.allowedAuthmethods); the user must exist.
 */
export function createTrustAuthenticator(): SecureAuthenticator {
  return {
    method: "trust",
    usable: (u) => u !== undefined,
    start: (a) => (a.user ? identityOf(a.user, "trust") : FAILED),
  };
}
