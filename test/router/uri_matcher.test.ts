import { describe, expect, test } from "bun:test";
import { type MatchPolicy, UriMatcher } from "../../src/router/uri_matcher.ts";

describe("URI matcher", () => {
  // The spec's example set ("Calls matching multiple registrations").
  const specPatterns: [string, MatchPolicy, number][] = [
    ["a1.b2.c3.d4.e55", "exact", 1],
    ["a1.b2.c3", "prefix", 2],
    ["a1.b2.c3.d4", "prefix", 3],
    ["a1.b2..d4.e5", "wildcard", 4],
    ["a1.b2.c33..e5", "wildcard", 5],
    ["a1.b2..d4.e5..g7", "wildcard", 6],
    ["a1.b2..d4..f6.g7", "wildcard", 7],
  ];
  const m = new UriMatcher<number>();
  for (const [p, match, v] of specPatterns) m.set(p, match, v);

  for (const [uri, expected] of [
    ["a1.b2.c3.d4.e55", 1],
    ["a1.b2.c3.d98.e74", 2],
    ["a1.b2.c3.d4.e325", 3],
    ["a1.b2.c55.d4.e5", 4],
    // The spec's list says RPC 5 here, but its own definition of prefix matching (a raw string
    // prefix: "com.myapp.myobject1" matches "com.myapp.myobject1-mysubobject1") makes prefix
    // 'a1.b2.c3' match 'a1.b2.c33…', and prefix beats wildcard. We follow the definition.
    ["a1.b2.c33.d4.e5", 2],
    ["a1.b2.c88.d4.e5.f6.g7", 6],
    ["a2.b2.c2.d2.e2", undefined],
  ] as const) {
    test(`a call to ${uri} is routed to ${expected ?? "nothing"} (spec example)`, () => {
      expect(m.best(uri)?.value).toBe(expected);
    });
  }

  test("among wildcards, the longest concrete run before a wildcard wins", () => {
    const w = new UriMatcher<number>();
    w.set("a1...d4", "wildcard", 1);
    w.set("a1.b2..d4", "wildcard", 2);
    w.set("a1.b2.c33..e5", "wildcard", 3);
    w.set("a1.b2..d4.e5", "wildcard", 4);
    expect(w.best("a1.b2.c3.d4")?.value).toBe(2);
    expect(w.best("a1.x.c3.d4")?.value).toBe(1);
    expect(w.best("a1.b2.c33.d4.e5")?.value).toBe(3);
  });

  test("prefix matching is on the raw string, as the spec's examples show", () => {
    const p = new UriMatcher<string>();
    p.set("com.myapp.myobject1", "prefix", "x");
    for (const uri of ["com.myapp.myobject1.myprocedure1", "com.myapp.myobject1-mysubobject1", "com.myapp.myobject1"]) {
      expect(p.best(uri)?.value).toBe("x");
    }
    for (const uri of ["com.myapp.myobject2", "com.myapp.myobject"]) expect(p.best(uri)).toBeUndefined();
  });

  test("wildcards match whole components and the component count", () => {
    const w = new UriMatcher<string>();
    w.set("com.myapp..myprocedure1", "wildcard", "w");
    expect(w.best("com.myapp.myobject1.myprocedure1")?.pattern).toBe("com.myapp..myprocedure1");
    for (const uri of ["com.myapp.myobject1.myprocedure1.mysub", "com.myapp.myobject1.myprocedure2", "com.myapp2.myobject1.myprocedure1"]) {
      expect(w.best(uri)).toBeUndefined();
    }
  });

  test("all() visits every matching pattern once", () => {
    const seen: string[] = [];
    m.all("a1.b2.c33.d4.e5", (x) => seen.push(`${x.match}:${x.pattern}`));
    expect(seen.sort()).toEqual(["prefix:a1.b2.c3", "wildcard:a1.b2..d4.e5", "wildcard:a1.b2.c33..e5"]);
    const seen2: number[] = [];
    m.all("a1.b2.c3.d4.e55", (x) => seen2.push(x.value));
    expect(seen2.sort()).toEqual([1, 2, 3]);
  });

  test("the same URI may be stored under different policies, and deleting one keeps the others", () => {
    const x = new UriMatcher<string>();
    x.set("a.b", "exact", "e");
    x.set("a.b", "prefix", "p");
    x.set("a.b", "wildcard", "w");
    expect(x.size).toBe(3);
    expect(x.delete("a.b", "exact")).toBe(true);
    expect(x.best("a.b")?.value).toBe("p");
    expect(x.delete("a.b", "prefix")).toBe(true);
    expect(x.best("a.b")?.value).toBe("w");
    expect(x.delete("a.b", "wildcard")).toBe(true);
    expect(x.delete("a.b", "wildcard")).toBe(false);
    expect(x.best("a.b")).toBeUndefined();
    expect(x.size).toBe(0);
  });

  test("deleting a pattern prunes the tries so a shorter pattern still matches", () => {
    const x = new UriMatcher<string>();
    x.set("a.b", "prefix", "short");
    x.set("a.b.c.d", "prefix", "long");
    x.set("a..c", "wildcard", "w1");
    x.set("a..c.d", "wildcard", "w2");
    x.delete("a.b.c.d", "prefix");
    x.delete("a..c.d", "wildcard");
    expect(x.best("a.b.c.d.e")?.value).toBe("short");
    expect(x.best("a.z.c")?.value).toBe("w1");
    expect(x.best("a.z.c.d")).toBeUndefined();
    expect([...x.entries()].map((e) => e.pattern).sort()).toEqual(["a..c", "a.b"]);
  });

  test("lookups stay correct with many patterns stored", () => {
    const x = new UriMatcher<number>();
    for (let i = 0; i < 10_000; i++) {
      x.set(`com.example.p${i}`, "exact", i);
      x.set(`com.example.p${i}.`, "prefix", -i);
      x.set(`com.example.p${i}..x`, "wildcard", i + 0.5);
    }
    expect(x.best("com.example.p9999")?.value).toBe(9999);
    expect(x.best("com.example.p42.anything")?.value).toBe(-42);
    expect(x.best("com.example.p7.y.x")?.value).toBe(-7);
    expect(x.size).toBe(30_000);
  });
});
