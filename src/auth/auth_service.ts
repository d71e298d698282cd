/**
 * Authentication on realms whose security record has securityEnabled: picks the method and
 * runs HELLO → CHALLENGE → AUTHENTICATE → WELCOME | ABORT. The methods offered for a HELLO are
 * realm.authmethods ∩ methods the user has credentials for ∩ methods allowed from the client's
 * source (the `allowedAuthmethods` hook, RBAC's sources) ∩ HELLO.authmethods, in the client's
 * order. Failures never say which part was wrong, and repeated ones are slowed (FailureBackoff).
 */
import type { Dict, SecurityRepository, UserRecord } from "../store/security_records.ts";
import type { Clock } from "../util/clock.ts";
import { type Logger, silentLogger } from "../util/log.ts";
import type { AuthIdentity } from "./authenticator.ts";
import { createAnonymousAuthenticator } from "./anonymous.ts";
import { createCryptosignAuthenticator } from "./cryptosign.ts";
import { createFailureBackoff, type FailureBackoffOptions } from "./failure_backoff.ts";
import { createPasswordAuthenticator } from "./password.ts";
import { createScramAuthenticator } from "./scram.ts";
import type { PendingChallenge, SecureAuthenticator } from "./secure_authenticator.ts";
import { createTicketAuthenticator } from "./ticket.ts";
import type { TicketIssuer } from "./ticket_issuer.ts";
import { createTrustAuthenticator } from "./trust.ts";
import { createWampCraAuthenticator } from "./wampcra.ts";

export interface AuthServiceOptions {
  security: SecurityRepository;
  clock: Clock;
  logger?: Logger;
  /** Verifies router-issued tickets (and issues them for the admin API). */
  ticketIssuer?: TicketIssuer;
  /**
   * Methods allowed for this authid from this address (RBAC sources); undefined = no
   * restriction. "trust" is only ever offered when this hook lists it.
   */
  allowedAuthmethods?: (realm: string, authid: string | undefined, remoteAddress: string | undefined) => string[] | undefined;
  backoff?: FailureBackoffOptions;
}

export interface HelloRequest {
  realm: string;
  /** HELLO.Details.authmethods ([] when absent). */
  authmethods: string[];
  authid?: string;
  authextra: Dict;
  session: number;
  remoteAddress?: string;
  tls: boolean;
  channelId?: Uint8Array;
}

export type AuthAbort = { kind: "abort"; reason: string; message: string; delayMs: number };
export type AuthWelcome = { kind: "welcome"; identity: AuthIdentity };
export interface AuthChallenge {
  kind: "challenge";
  authmethod: string;
  extra: Dict;
  /** Checks the AUTHENTICATE (once). */
  authenticate(signature: string, extra: Dict): AuthWelcome | AuthAbort;
}

export interface AuthService {
  /** Whether the realm authenticates users (else the router's anonymous-only path applies). */
  enabled(realm: string): boolean;
  hello(req: HelloRequest): AuthWelcome | AuthChallenge | AuthAbort;
}

const AUTH_FAILED = "wamp.error.authentication_failed";
const NO_AUTH_METHOD = "wamp.error.no_auth_method";

export function createAuthService(opts: AuthServiceOptions): AuthService {
  const repo = opts.security;
  const log = opts.logger ?? silentLogger;
  const backoff = createFailureBackoff(opts.clock, opts.backoff);
  const anonymous = createAnonymousAuthenticator();
  const methods = new Map<string, SecureAuthenticator>();
  for (const m of [
    createTrustAuthenticator(), createPasswordAuthenticator(), createTicketAuthenticator(opts.ticketIssuer),
    createWampCraAuthenticator(), createCryptosignAuthenticator(), createScramAuthenticator(), createScramAuthenticator({ legacy: true }),
  ]) methods.set(m.method, m);

  function realmMethods(realm: string): string[] {
    const r = repo.realm(realm);
    if (!r) return [];
    if (r.authmethods.length === 0 && r.prototype) return repo.realm(r.prototype)?.authmethods ?? [];
    return r.authmethods;
  }

  function fail(req: HelloRequest, method: string | undefined, why: string): AuthAbort {
    const key = `${req.remoteAddress ?? "?"}|${req.authid ?? ""}`;
    // Log why (for operators), never the credentials; the client learns nothing specific.
    log.info("authentication failed", { realm: req.realm, authid: req.authid, authmethod: method, remote: req.remoteAddress, why });
    return { kind: "abort", reason: AUTH_FAILED, message: "authentication failed", delayMs: backoff.fail(key) };
  }

  function succeed(req: HelloRequest, identity: AuthIdentity): AuthWelcome {
    backoff.succeed(`${req.remoteAddress ?? "?"}|${req.authid ?? ""}`);
    return { kind: "welcome", identity };
  }

  return {
    enabled: (realm) => repo.realm(realm)?.securityEnabled === true,
    hello(req) {
      if (repo.realm(req.realm)?.allowConnections === false) {
        return { kind: "abort", reason: "wamp.error.not_authorized", message: `realm "${req.realm}" does not allow connections`, delayMs: 0 };
      }
      const offeredByRealm = realmMethods(req.realm);
      const accepts = (m: string) => offeredByRealm.includes(m) || (m === "scram" && offeredByRealm.includes("wamp-scram"));
      const requested = req.authmethods.length > 0 ? req.authmethods : ["anonymous"];
      const wanted = requested.filter(accepts);
      if (wanted.length === 0) {
        return { kind: "abort", reason: NO_AUTH_METHOD, message: `realm "${req.realm}" accepts none of [${requested.join(", ")}]; it accepts: ${offeredByRealm.join(", ") || "none"}`, delayMs: 0 };
      }
      const found = req.authid !== undefined ? repo.user(req.realm, req.authid) : undefined;
      const user: UserRecord | undefined = found?.enabled ? found : undefined;
      const allowed = opts.allowedAuthmethods?.(req.realm, req.authid, req.remoteAddress);
      const usable = wanted.filter((m) => {
        if (allowed !== undefined ? !allowed.includes(m) && !(m === "scram" && allowed.includes("wamp-scram")) : m === "trust") return false;
        if (m === "anonymous") return true;
        // Cryptosign may name the user by its key alone.
        if (m === "cryptosign" && req.authid === undefined) return true;
        return methods.get(m)?.usable(user) === true;
      });
      const method = usable[0];
      if (!method) return fail(req, undefined, user ? "no usable method for this user and source" : "unknown or disabled authid");
      if (method === "anonymous") {
        const id = anonymous.authenticate({ realm: req.realm, authmethods: requested, details: {} });
        return "error" in id ? fail(req, method, id.error) : succeed(req, id);
      }
      const started = methods.get(method)!.start({
        realm: req.realm, authid: req.authid, user, authextra: req.authextra, session: req.session,
        remoteAddress: req.remoteAddress, tls: req.tls, channelId: req.channelId, now: opts.clock.now(),
        userByKey: (pubkey) => repo.users(req.realm).find((u) => u.enabled && (u.credentials.authorizedKeys ?? []).some((k) => k.toLowerCase() === pubkey)),
      });
      if ("error" in started) return fail(req, method, started.error);
      if (!("verify" in started)) return succeed(req, started);
      const pending: PendingChallenge = started;
      let used = false;
      return {
        kind: "challenge",
        authmethod: method,
        extra: pending.extra,
        authenticate(signature, extra) {
          // One answer per challenge: a second AUTHENTICATE (a replay) never succeeds.
          if (used) return fail(req, method, "challenge already answered");
          used = true;
          const r = pending.verify(signature, extra);
          return "error" in r ? fail(req, method, r.error) : succeed(req, r);
        },
      };
    },
  };
}
