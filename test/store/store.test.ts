// One case set run against every Store implementation (memory and SQLite).
import { afterEach, describe, expect, test } from "bun:test";
import { createMemoryStore, openSqliteStore, type Store } from "../../src/store/mod.ts";
import { tempDir } from "./_temp_dir.ts";

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const implementations: Array<[string, () => Store]> = [
  ["memory", () => createMemoryStore()],
  ["sqlite", () => {
    const dir = tempDir();
    const store = openSqliteStore({ dataDir: dir.path });
    cleanups.push(() => {
      store.close();
      dir.remove();
    });
    return store;
  }],
];

for (const [name, open] of implementations) {
  describe(`${name} store`, () => {
    test("put then get returns an equal JSON value", () => {
      const s = open();
      s.put("a/1", { x: 1, list: ["y", null], nested: { ok: true } });
      expect(s.get("a/1")).toEqual({ x: 1, list: ["y", null], nested: { ok: true } });
      expect(s.get("a/2")).toBeUndefined();
    });

    test("a stored value is a copy, not the caller's object", () => {
      const s = open();
      const v = { n: 1 };
      s.put("k", v);
      v.n = 2;
      expect(s.get<{ n: number }>("k")!.n).toBe(1);
    });

    test("put overwrites and delete reports whether the key existed", () => {
      const s = open();
      s.put("k", 1);
      s.put("k", 2);
      expect(s.get("k")).toBe(2);
      expect(s.delete("k")).toBe(true);
      expect(s.delete("k")).toBe(false);
      expect(s.get("k")).toBeUndefined();
    });

    test("list returns exactly the keys with the prefix, in key order", () => {
      const s = open();
      for (const k of ["b/2", "a/x", "b/1", "b", "b0", "b/é", "b/\u{1F600}", "c/1"]) s.put(k, k);
      expect(s.list("b/").map((e) => e.key)).toEqual(["b/1", "b/2", "b/é", "b/\u{1F600}"]);
      expect(s.list("b/")[0]).toEqual({ key: "b/1", value: "b/1" });
      expect(s.list("zzz")).toEqual([]);
      expect(s.list("").length).toBe(8);
    });

    test("batch applies puts and deletes together", () => {
      const s = open();
      s.put("x", 1);
      s.batch([{ op: "put", key: "y", value: 2 }, { op: "delete", key: "x" }, { op: "put", key: "z", value: [3] }]);
      expect(s.list("").map((e) => [e.key, e.value])).toEqual([["y", 2], ["z", [3]]]);
    });

    test("a batch with a value that is not JSON changes nothing", () => {
      const s = open();
      s.put("x", 1);
      expect(() => s.batch([{ op: "delete", key: "x" }, { op: "put", key: "y", value: undefined }])).toThrow("not JSON");
      expect(s.get("x")).toBe(1);
      expect(s.get("y")).toBeUndefined();
    });

    test("a closed store refuses use", () => {
      const s = open();
      s.close();
      expect(() => s.get("k")).toThrow("closed");
    });
  });
}
