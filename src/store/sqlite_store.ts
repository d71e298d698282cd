import { DatabaseSync, type StatementSync } from "node:sqlite";
import { accessSync, constants, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Store, StoreError, type StoreEntry, type StoreOp, toJson } from "./store.ts";

/** The file name inside the data directory. */
export const STORE_FILE = "causeway.db";

export interface SqliteStoreOptions {
  /** Directory holding causeway.db; created when missing. */
  dataDir: string;
}

/**
 * The durable Store: one `kv` table in `<dataDir>/causeway.db` on `node:sqlite` (built into Bun
 * and Deno, so it also works in compiled binaries; no native addon).
 *
 * Durability: WAL mode with synchronous=FULL. In WAL mode every commit is appended to the WAL
 * file before `COMMIT` returns, so a `kill -9` of the process loses nothing committed even with
 * NORMAL; FULL additionally fsyncs the WAL on every commit, so an acknowledged write also survives
 * an OS crash or power loss. Security writes are rare, so the fsync per write is cheap enough.
 */
export function openSqliteStore(opts: SqliteStoreOptions): Store {
  const path = join(opts.dataDir, STORE_FILE);
  const fix = `check the file, or set store.dataDir (or CAUSEWAY_DATA_DIR) to another directory`;
  try {
    mkdirSync(opts.dataDir, { recursive: true });
    accessSync(opts.dataDir, constants.W_OK);
  } catch (err) {
    throw new StoreError(`Cannot open the store in ${opts.dataDir}: the directory cannot be created or is not writable (${(err as Error).message}); fix its permissions or set store.dataDir (or CAUSEWAY_DATA_DIR) to a writable directory`);
  }
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path);
    // A previous router that just exited may still be releasing its lock: wait a little.
    db.exec("PRAGMA busy_timeout = 2000");
    // One process per store: each process caches the records in memory (security_repository),
    // so a second writer would make the caches silently disagree. EXCLUSIVE, set before the
    // first WAL access, also keeps the WAL index in heap memory instead of a -shm file. The OS
    // drops the lock when the process dies, so kill -9 leaves no stale lock behind.
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    db.exec("CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY NOT NULL, v TEXT NOT NULL) WITHOUT ROWID");
    const check = db.prepare("PRAGMA quick_check").all() as Array<Record<string, unknown>>;
    const verdict = String(Object.values(check[0] ?? {})[0] ?? "ok");
    if (verdict !== "ok") throw new Error(`integrity check failed: ${verdict}`);
    // Prove the file is writable now rather than on the first admin write (and take the lock).
    db.exec("BEGIN IMMEDIATE; COMMIT");
  } catch (err) {
    try {
      db?.close();
    } catch { /* already failed */ }
    const msg = (err as Error).message;
    if (/locked|busy/i.test(msg)) {
      throw new StoreError(`Cannot open the store ${path}: another process is using it (${msg}); stop the other Causeway, or give this one its own store.dataDir (or CAUSEWAY_DATA_DIR)`);
    }
    if (/not a database|malformed|integrity/i.test(msg)) {
      throw new StoreError(`Cannot open the store ${path}: the file is corrupt (${msg}); move it aside (and restore a backup if you have one) so a new store is created, or ${fix}`);
    }
    if (/readonly|read-only|permission|unable to open/i.test(msg)) {
      throw new StoreError(`Cannot open the store ${path}: it is not writable (${msg}); fix the file's permissions, or ${fix}`);
    }
    throw new StoreError(`Cannot open the store ${path}: ${msg}; ${fix}`);
  }
  return new SqliteStore(db, path);
}

class SqliteStore implements Store {
  readonly #db: DatabaseSync;
  readonly #get: StatementSync;
  readonly #put: StatementSync;
  readonly #del: StatementSync;
  readonly #list: StatementSync;
  #closed = false;

  constructor(db: DatabaseSync, readonly location: string) {
    this.#db = db;
    this.#get = db.prepare("SELECT v FROM kv WHERE k = ?");
    this.#put = db.prepare("INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v");
    this.#del = db.prepare("DELETE FROM kv WHERE k = ?");
    // Keys are compared bytewise (BINARY collation on UTF-8), so [prefix, prefix + U+10FFFF)
    // is exactly the set of keys starting with prefix.
    this.#list = db.prepare("SELECT k, v FROM kv WHERE k >= ? AND k < ? ORDER BY k");
  }

  get<T>(key: string): T | undefined {
    this.#open();
    const row = this.#get.get(key) as { v: string } | undefined;
    return row === undefined ? undefined : JSON.parse(row.v) as T;
  }

  put(key: string, value: unknown): void {
    this.#open();
    this.#put.run(key, toJson(key, value));
  }

  delete(key: string): boolean {
    this.#open();
    return Number(this.#del.run(key).changes) > 0;
  }

  list<T>(prefix: string): StoreEntry<T>[] {
    this.#open();
    const rows = this.#list.all(prefix, `${prefix}\u{10FFFF}`) as Array<{ k: string; v: string }>;
    return rows.map((r) => ({ key: r.k, value: JSON.parse(r.v) as T }));
  }

  batch(ops: StoreOp[]): void {
    this.#open();
    const texts = ops.map((o) => (o.op === "put" ? toJson(o.key, o.value) : ""));
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      ops.forEach((o, i) => (o.op === "put" ? this.#put.run(o.key, texts[i]) : this.#del.run(o.key)));
      this.#db.exec("COMMIT");
    } catch (err) {
      this.#db.exec("ROLLBACK");
      throw err;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #open(): void {
    if (this.#closed) throw new Error(`Store ${this.location} is closed`);
  }
}
