// best() remembers pattern results per URI; every change to the patterns must show at once.
import { describe, expect, test } from "bun:test";
import { UriMatcher } from "../../src/router/uri_matcher.ts";

describe("UriMatcher best() cache", () => {
  test("a later, more specific pattern wins at once", () => {
    const m = new UriMatcher<string>();
    m.set("com..run", "wildcard", "w");
    expect(m.best("com.x.run")?.value).toBe("w");
    expect(m.best("com.x.run")?.value).toBe("w"); // cached
    m.set("com.x", "prefix", "p");
    expect(m.best("com.x.run")?.value).toBe("p");
    m.set("com.x.run", "exact", "e");
    expect(m.best("com.x.run")?.value).toBe("e");
  });

  test("removing the matched pattern falls back to the next one, then to none", () => {
    const m = new UriMatcher<string>();
    m.set("com.x", "prefix", "p");
    m.set("com..run", "wildcard", "w");
    expect(m.best("com.x.run")?.pattern).toBe("com.x");
    m.delete("com.x", "prefix");
    expect(m.best("com.x.run")?.pattern).toBe("com..run");
    m.delete("com..run", "wildcard");
    expect(m.best("com.x.run")).toBeUndefined();
  });

  test("a URI that matched nothing matches a pattern added later", () => {
    const m = new UriMatcher<string>();
    m.set("org", "prefix", "o");
    expect(m.best("com.x.run")).toBeUndefined();
    m.set("com", "prefix", "c");
    expect(m.best("com.x.run")?.value).toBe("c");
  });

  test("replacing a pattern's value shows the new value", () => {
    const m = new UriMatcher<string>();
    m.set("com", "prefix", "old");
    expect(m.best("com.a")?.value).toBe("old");
    m.set("com", "prefix", "new");
    expect(m.best("com.a")?.value).toBe("new");
  });

  test("many distinct URIs do not break lookups (the cache is bounded and refilled)", () => {
    const m = new UriMatcher<number>();
    m.set("a", "prefix", 1);
    for (let i = 0; i < 25_000; i++) expect(m.best(`a.${i}`)?.value).toBe(1);
    expect(m.best("b.1")).toBeUndefined();
  });
});
