// The bridge's small parts on their own: filter geometry, the publication buffer, forward_for
// chains and the recent-publication window.
import { describe, expect, test } from "bun:test";
import { checkFilter, filterCovers, filterIntersects } from "../../edge/filters.ts";
import { PublicationBuffer } from "../../edge/publication_buffer.ts";
import { forwardChain, RecentIds } from "../../edge/loop_guard.ts";

describe("filters", () => {
  const prefix = { uri: "com.acme.device.", match: "prefix" as const };
  const wild = { uri: "com.acme..status", match: "wildcard" as const };
  const exact = { uri: "com.acme.ping", match: "exact" as const };

  test("covers: every URI of the pattern is inside the filter", () => {
    expect(filterCovers(prefix, "com.acme.device.t1", "exact")).toBe(true);
    expect(filterCovers(prefix, "com.acme.devicex", "exact")).toBe(false);
    expect(filterCovers(prefix, "com.acme.device.sensors.", "prefix")).toBe(true);
    expect(filterCovers(prefix, "com.acme.", "prefix")).toBe(false);
    expect(filterCovers(prefix, "com.acme.device..read", "wildcard")).toBe(true);
    expect(filterCovers(prefix, "com..device.read", "wildcard")).toBe(false);
    expect(filterCovers(wild, "com.acme.x.status", "exact")).toBe(true);
    expect(filterCovers(wild, "com.acme.x.status", "wildcard")).toBe(true);
    expect(filterCovers(wild, "com...status", "wildcard")).toBe(false);
    expect(filterCovers(wild, "com.acme.", "prefix")).toBe(false);
    expect(filterCovers(exact, "com.acme.ping", "exact")).toBe(true);
    expect(filterCovers(exact, "com.acme.", "prefix")).toBe(false);
  });

  test("intersects: some URI could match both", () => {
    expect(filterIntersects(prefix, "com.acme.", "prefix")).toBe(true);
    expect(filterIntersects(prefix, "com.other.", "prefix")).toBe(false);
    expect(filterIntersects(exact, "com.acme.", "prefix")).toBe(true);
    expect(filterIntersects(exact, "com..ping", "wildcard")).toBe(true);
    expect(filterIntersects(wild, "com.acme.x.", "prefix")).toBe(true);
    expect(filterIntersects(wild, "org.", "prefix")).toBe(false);
    expect(filterIntersects(wild, "com..y.status", "wildcard")).toBe(true);
    expect(filterIntersects(wild, "com..y.other", "wildcard")).toBe(false);
  });

  test("checkFilter names the problem", () => {
    expect(checkFilter({ uri: "a.b" }, "uplinks[0].realms[0].export.procedures[0]")).toEqual({ uri: "a.b", match: "exact" });
    expect(() => checkFilter({ uri: "a.", match: "glob" }, "x")).toThrow(/x: filter "a." has match "glob"/);
    expect(() => checkFilter({}, "y")).toThrow(/y: a filter needs a non-empty "uri"/);
  });
});

describe("PublicationBuffer", () => {
  const p = (n: number) => ({ topic: "t", payload: { args: [n] }, options: {} });
  const ns = (b: PublicationBuffer) => b.drain().map((x) => x.payload.args?.[0]);

  test("drop_oldest keeps the newest maxMessages, in order", () => {
    const b = new PublicationBuffer(3, "drop_oldest");
    for (let i = 1; i <= 5; i++) b.push(p(i));
    expect([b.depth, b.dropped]).toEqual([3, 2]);
    expect(ns(b)).toEqual([3, 4, 5]);
    expect(b.depth).toBe(0);
  });

  test("drop_newest keeps the first maxMessages", () => {
    const b = new PublicationBuffer(2, "drop_newest");
    expect([b.push(p(1)), b.push(p(2)), b.push(p(3))]).toEqual([0, 0, 1]);
    expect(ns(b)).toEqual([1, 2]);
  });

  test("many pushes through drop_oldest stay bounded and ordered", () => {
    const b = new PublicationBuffer(1000, "drop_oldest");
    for (let i = 0; i < 10_000; i++) b.push(p(i));
    const out = ns(b);
    expect(out.length).toBe(1000);
    expect(out[0]).toBe(9000);
    expect(out[999]).toBe(9999);
  });

  test("bad settings are refused with a clear error", () => {
    expect(() => new PublicationBuffer(-1, "drop_oldest")).toThrow(/maxMessages/);
    expect(() => new PublicationBuffer(1, "drop_all" as never)).toThrow(/overflow/);
  });
});

describe("loop guard helpers", () => {
  test("forwardChain appends the disclosed caller/publisher to the hops already there", () => {
    expect(forwardChain({}, "caller")).toBeUndefined();
    expect(forwardChain({ caller: 5, caller_authid: "a", caller_authrole: "r" }, "caller")).toEqual([{ session: 5, authid: "a", authrole: "r" }]);
    const prior = [{ session: 1, authid: "x", authrole: "y" }];
    expect(forwardChain({ forward_for: prior, publisher: 2, publisher_authid: "p", publisher_authrole: "q" }, "publisher"))
      .toEqual([...prior, { session: 2, authid: "p", authrole: "q" }]);
    expect(forwardChain({ forward_for: prior }, "publisher")).toEqual(prior);
  });

  test("RecentIds remembers a bounded window", () => {
    const r = new RecentIds(2);
    expect([r.seen(1), r.seen(1), r.seen(2), r.seen(3), r.seen(1), r.seen(3)]).toEqual([false, true, false, false, false, true]);
  });
});
