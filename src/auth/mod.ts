export type { AuthIdentity, AuthRequest, Authenticator } from "./authenticator.ts";
export { createAnonymousAuthenticator } from "./anonymous.ts";
