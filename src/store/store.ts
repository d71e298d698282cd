/**
 * A deliberately small key-value store over prefixed string keys with JSON values. Everything
 * durable in Causeway (security state today; more later) sits on this seam, so an
 * implementation only needs ordered keys, atomic batches and durable commits.
 *
 * Synchronous on purpose: SQLite (`node:sqlite` DatabaseSync) commits synchronously, and a
 * synchronous API means "returned" = "durable" with no promise to forget to await.
 */
export interface StoreEntry<T = unknown> {
  key: string;
  value: T;
}

export type StoreOp =
  | { op: "put"; key: string; value: unknown }
  | { op: "delete"; key: string };

export interface Store {
  /** Where the data lives: a file path, or ":memory:". */
  readonly location: string;
  get<T = unknown>(key: string): T | undefined;
  /** Writes one key; durable when it returns. `value` must be JSON-serialisable. */
  put(key: string, value: unknown): void;
  /** Removes one key; true when it existed. */
  delete(key: string): boolean;
  /** Every entry whose key starts with `prefix`, in key order (code-point order). */
  list<T = unknown>(prefix: string): StoreEntry<T>[];
  /** Applies all operations atomically (all or none), durable when it returns. */
  batch(ops: StoreOp[]): void;
  close(): void;
}

/** Thrown when a store cannot be opened or written; the message names the path and the fix. */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreError";
  }
}

/** Round-trips a value through JSON so callers never share mutable objects with a store. */
export function toJson(key: string, value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`Store value for "${key}" is not JSON-serialisable`);
  return text;
}
