import { verifyPassword } from "./credentials.ts";
import { FAILED, identityOf, type SecureAuthenticator } from "./secure_authenticator.ts";

/**
 * "password": the client sends its password in clear in AUTHENTICATE (use it over TLS only);
 * the router checks it against the stored PBKDF2 hash.
 */
export function createPasswordAuthenticator(): SecureAuthenticator {
  return {
    method: "password",
    usable: (u) => !!u?.credentials.password?.pbkdf2,
    start: (a) => {
      const user = a.user;
      if (!user) return FAILED;
      return { extra: {}, verify: (signature) => (verifyPassword(user.credentials.password, signature) ? identityOf(user, "password") : FAILED) };
    },
  };
}
