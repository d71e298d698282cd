import type { Permission, SecurityRepository } from "../store/security_records.ts";
import { type Decision, RealmPolicy } from "./policy.ts";
import { anonymousPrincipals, type Principals, type SessionIdentity, userPrincipals } from "./principals.ts";
import { effectiveRealm } from "./realm_view.ts";
import { selectSource } from "./sources.ts";

/**
 * Authorization over a SecurityRepository: per-realm policies and per-session decision
 * caches, all invalidated on every SecurityChange (repository.onChange), so a revoked grant
 * takes effect on the session's very next message.
 *
 * Invalidation is a generation counter: a change bumps it and drops the realm policies; each
 * session cache compares its generation before use and clears itself when stale — O(1) per
 * change however many sessions there are. Every change invalidates every realm because a
 * change to a prototype realm changes the realms built on it.
 */
export interface Rbac {
  /** The realm's policy (rebuilt after a change). */
  policy(realm: string): RealmPolicy;
  /** Whether the repository has the realm with security enabled. */
  securityEnabled(realm: string): boolean;
  /** A decision cache for one session; keep it for the session's lifetime. */
  sessionAuthorizer(realm: string, identity: SessionIdentity): SessionAuthorizer;
  /**
   * The authentication methods allowed for a HELLO on `realm` from `remoteAddress`:
   * the realm's effective authmethods ∩ those of the most specific matching source for the
   * principal. `authid` undefined: a HELLO naming no user (only `all` sources apply to its
   * non-anonymous methods). The caller (auth) further intersects with the user's credentials
   * and the client's HELLO.authmethods.
   * - undefined: no source restriction — the repository does not know the realm, or the realm
   *   (with its prototype) defines no sources at all; the caller applies its own default
   *   (auth: the realm's methods except trust, which always needs an explicit source);
   * - ["anonymous"] ∩ realm methods: security disabled (issue 4: only anonymous then);
   * - []: nothing allowed (no matching source, or the user is disabled).
   * "anonymous" is in the result when the anonymous principal's source allows it, whatever
   * `authid` says (the method ignores the authid).
   */
  allowedAuthmethods(realm: string, authid: string | undefined, remoteAddress: string | undefined): string[] | undefined;
  /** Called after every SecurityChange has invalidated the caches. */
  onInvalidate(listener: () => void): () => void;
  /** Stops listening to the repository. */
  close(): void;
}

/** Most (permission, uri) pairs a session cache holds before it starts over. */
const MAX_CACHED_DECISIONS = 4096;

export function createRbac(repo: SecurityRepository): Rbac {
  const state = { generation: 0 };
  const policies = new Map<string, RealmPolicy>();
  const listeners = new Set<() => void>();
  const unsubscribe = repo.onChange(() => {
    state.generation++;
    policies.clear();
    for (const l of listeners) l();
  });

  function policy(realm: string): RealmPolicy {
    let p = policies.get(realm);
    if (!p) {
      p = new RealmPolicy(effectiveRealm(repo, realm), (authid) => repo.user(realm, authid));
      policies.set(realm, p);
    }
    return p;
  }

  return {
    policy,
    securityEnabled: (realm) => policy(realm).enabled,
    sessionAuthorizer: (realm, identity) => new SessionAuthorizer(realm, identity, policy, state),
    allowedAuthmethods(realm, authid, remoteAddress) {
      const view = policy(realm).view;
      if (!view) return undefined;
      if (!view.record.securityEnabled) return view.authmethods.length === 0 || view.authmethods.includes("anonymous") ? ["anonymous"] : [];
      if (view.sources.length === 0) return undefined;
      // The anonymous method proves no identity, so whatever authid the HELLO names it is
      // governed by the anonymous principal's sources; every other method by the named user's.
      const anonymousOk = selectSource(view.sources, anonymousPrincipals(), remoteAddress)?.authmethods.includes("anonymous") === true;
      // Without an authid (e.g. cryptosign naming the user by its key) only `all` sources apply.
      const user = authid === undefined ? undefined : repo.user(realm, authid);
      const principals = userPrincipals(view, authid ?? "", user, user?.authrole);
      const userMethods = principals.disabled ? [] : selectSource(view.sources, principals, remoteAddress)?.authmethods ?? [];
      return view.authmethods.filter((m) => (m === "anonymous" ? anonymousOk : userMethods.includes(m)));
    },
    onInvalidate(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: unsubscribe,
  };
}

/**
 * One session's decisions, cached by (permission, uri) until the next SecurityChange. The
 * principals (user record, expanded groups) are resolved once per generation too.
 */
export class SessionAuthorizer {
  private cache = new Map<string, Decision>();
  private principals: Principals | undefined;
  private generation: number;

  constructor(
    readonly realm: string,
    readonly identity: SessionIdentity,
    private readonly policyOf: (realm: string) => RealmPolicy,
    private readonly state: { generation: number },
  ) {
    this.generation = state.generation;
  }

  authorize(permission: Permission, uri: string): Decision {
    if (this.generation !== this.state.generation) {
      this.generation = this.state.generation;
      this.cache.clear();
      this.principals = undefined;
    }
    const key = `${permission} ${uri}`;
    let d = this.cache.get(key);
    if (d) return d;
    const policy = this.policyOf(this.realm);
    this.principals ??= policy.principals(this.identity);
    d = policy.decide(this.principals, permission, uri);
    if (this.cache.size >= MAX_CACHED_DECISIONS) this.cache.clear();
    this.cache.set(key, d);
    return d;
  }
}
