/**
 * The security state Causeway keeps per realm, as it is persisted: users, groups, grants and
 * sources. Shared by src/auth (reads users and their credentials), src/rbac (evaluates grants,
 * groups and sources), the admin API (writes) and the store (persists). Plain JSON-able data:
 * no behaviour here.
 *
 * Secrets are never stored in clear: `credentials` hold derived material only (see
 * PasswordCredentials).
 */
export type Dict = Record<string, unknown>;

export type MatchPolicy = "exact" | "prefix" | "wildcard";

export interface UserRecord {
  authid: string;
  /** Groups the user belongs to (names of GroupRecords, or the reserved "all"). */
  groups: string[];
  enabled: boolean;
  /** WAMP authrole of the user's sessions; defaults to the first group, else "user". */
  authrole?: string;
  meta: Dict;
  credentials: Credentials;
}

export interface Credentials {
  /** For the password, wampcra and wamp-scram methods: material derived from the password. */
  password?: PasswordCredentials;
  /** Static tickets (ticket method), stored as derived hashes, never in clear. */
  tickets?: TicketCredential[];
  /** Cryptosign: Ed25519 public keys, lowercase hex (64 chars). */
  authorizedKeys?: string[];
}

/**
 * What each password-based method needs, derived once from the password when it is set:
 * - `pbkdf2`: the `password` method recomputes and compares (constant time);
 * - `cra`: WAMP-CRA signs challenges with this key (the PBKDF2-derived "salted secret" that
 *   Autobahn clients compute from salt/iterations/keylen in the CHALLENGE);
 * - `scram`: WAMP-SCRAM's StoredKey/ServerKey with the KDF parameters it announces.
 * The auth methods define and check the exact fields; the store treats them as opaque JSON.
 */
export interface PasswordCredentials {
  pbkdf2?: Dict;
  cra?: Dict;
  scram?: Dict;
}

export interface TicketCredential {
  /** Derived hash of the ticket (e.g. PBKDF2 or SHA-256 with salt); format owned by src/auth. */
  hash: Dict;
  /** Optional expiry, ISO 8601. */
  expires?: string;
}

export interface GroupRecord {
  name: string;
  /** Nested groups (cycles are refused when written). */
  groups: string[];
  meta: Dict;
}

/** Who a grant or source applies to. */
export type Principal =
  | { kind: "user"; authid: string }
  | { kind: "group"; name: string }
  | { kind: "all" }
  | { kind: "anonymous" };

export type Permission =
  | "wamp.register" | "wamp.unregister" | "wamp.call" | "wamp.cancel"
  | "wamp.subscribe" | "wamp.unsubscribe" | "wamp.publish"
  | "wamp.disclose_caller" | "wamp.disclose_publisher";

export interface GrantRecord {
  /** Stable id (assigned when stored) so a grant can be revoked exactly. */
  id: string;
  permissions: Permission[];
  /** A URI pattern, or "any" for every URI. */
  resource: { uri: string; match: MatchPolicy } | "any";
  to: Principal;
}

export interface SourceRecord {
  /** IPv4 or IPv6 CIDR, e.g. "10.0.0.0/8", "::1/128", "0.0.0.0/0". */
  cidr: string;
  /** Authentication methods allowed from this source for `to`. */
  authmethods: string[];
  to: Principal;
}

export interface RealmSecurityRecord {
  uri: string;
  /** Inherit authmethods, groups, sources and grants from this prototype realm. */
  prototype?: string;
  isPrototype: boolean;
  /** Methods the realm offers; with security disabled only "anonymous" is allowed. */
  authmethods: string[];
  securityEnabled: boolean;
  allowConnections: boolean;
  /** "admin" for a realm created through the admin API: routed again after a restart. */
  origin?: "admin";
}

/** A change to the security state (published by the admin API, invalidates RBAC caches). */
export type SecurityChange =
  | { kind: "realm"; realm: string }
  | { kind: "user"; realm: string; authid: string }
  | { kind: "group"; realm: string; name: string }
  | { kind: "grant"; realm: string }
  | { kind: "source"; realm: string };

/**
 * Read/write access to the security state. The durable implementation persists every write
 * before it returns (nothing acknowledged is lost); the in-memory one serves tests.
 */
export interface SecurityRepository {
  realms(): RealmSecurityRecord[];
  realm(uri: string): RealmSecurityRecord | undefined;
  putRealm(r: RealmSecurityRecord): void;
  deleteRealm(uri: string): boolean;

  users(realm: string): UserRecord[];
  user(realm: string, authid: string): UserRecord | undefined;
  putUser(realm: string, u: UserRecord): void;
  deleteUser(realm: string, authid: string): boolean;

  groups(realm: string): GroupRecord[];
  group(realm: string, name: string): GroupRecord | undefined;
  putGroup(realm: string, g: GroupRecord): void;
  deleteGroup(realm: string, name: string): boolean;

  grants(realm: string): GrantRecord[];
  /** Stores a grant (assigning `id` when empty) and returns it. */
  putGrant(realm: string, g: GrantRecord): GrantRecord;
  deleteGrant(realm: string, id: string): boolean;

  sources(realm: string): SourceRecord[];
  putSource(realm: string, s: SourceRecord): void;
  deleteSource(realm: string, cidr: string, to: Principal): boolean;

  /** Called after every successful write. Returns an unsubscribe function. */
  onChange(listener: (change: SecurityChange) => void): () => void;
}
