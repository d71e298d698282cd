// src/version.ts from source: no build-time commit, so "source" stands in its place.
import { describe, expect, test } from "bun:test";
import { COMMIT, VERSION, versionLine } from "../../src/version.ts";

describe("versionLine", () => {
  test("names the version, the commit (\"source\" when not compiled) and the runtime", () => {
    expect(COMMIT).toBe("source");
    expect(versionLine("bun", "1.4.5")).toBe(`causeway ${VERSION} (source, bun 1.4.5)`);
    expect(versionLine("deno")).toBe(`causeway ${VERSION} (source, deno)`);
  });
});
