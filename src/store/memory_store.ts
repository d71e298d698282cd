import { type Store, type StoreEntry, type StoreOp, toJson } from "./store.ts";

/**
 * The in-memory Store for tests and `store.dataDir: ":memory:"`. Values are kept as JSON text,
 * so it behaves like the SQLite store (no shared references, same serialisation failures).
 */
export function createMemoryStore(): Store {
  const data = new Map<string, string>();
  let closed = false;
  const check = () => {
    if (closed) throw new Error("Store is closed");
  };
  const apply = (op: StoreOp) => {
    if (op.op === "put") data.set(op.key, toJson(op.key, op.value));
    else data.delete(op.key);
  };
  return {
    location: ":memory:",
    get<T>(key: string): T | undefined {
      check();
      const text = data.get(key);
      return text === undefined ? undefined : JSON.parse(text) as T;
    },
    put(key, value) {
      check();
      apply({ op: "put", key, value });
    },
    delete(key) {
      check();
      return data.delete(key);
    },
    list<T>(prefix: string): StoreEntry<T>[] {
      check();
      const keys = [...data.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
      return keys.map((key) => ({ key, value: JSON.parse(data.get(key)!) as T }));
    },
    batch(ops) {
      check();
      // Validate every value first so a bad one leaves the store untouched (all or none).
      for (const op of ops) if (op.op === "put") toJson(op.key, op.value);
      for (const op of ops) apply(op);
    },
    close() {
      closed = true;
    },
  };
}

/** Code-point order, the order SQLite's BINARY collation gives UTF-8 text. */
function compareKeys(a: string, b: string): number {
  const ca = [...a];
  const cb = [...b];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = ca[i].codePointAt(0)! - cb[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}
