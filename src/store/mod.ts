/** The store layer's public surface. */
export { StoreError } from "./store.ts";
export type { Store, StoreEntry, StoreOp } from "./store.ts";
export { createMemoryStore } from "./memory_store.ts";
export { openSqliteStore, STORE_FILE } from "./sqlite_store.ts";
export type { SqliteStoreOptions } from "./sqlite_store.ts";
export { createSecurityRepository, principalKey, SecurityRepositoryError } from "./security_repository.ts";
export type {
  Credentials, Dict, GrantRecord, GroupRecord, MatchPolicy, PasswordCredentials, Permission, Principal,
  RealmSecurityRecord, SecurityChange, SecurityRepository, SourceRecord, TicketCredential, UserRecord,
} from "./security_records.ts";
