// Enforces the layering of ARCHITECTURE.md §1 by reading the import lines of every .ts file
// under src/ and edge/ and of mod.ts, and keeps Bun.* / Deno.* inside src/runtime/.
// (denoland/std checks its architecture the same way, by a script in CI.)
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Where a repo file sits in the layer table. */
function layerOf(path: string): string {
  if (path === "mod.ts") return "mod";
  if (path.startsWith("edge/")) return "edge";
  const m = /^src\/([^/]+)\//.exec(path);
  if (m) return m[1];
  if (path.startsWith("src/")) return "src-root"; // src/server.ts, src/cli.ts, src/config.ts, …
  return "other";
}

const inFolders = (...folders: string[]) => (target: string) => folders.some((f) => target.startsWith(`src/${f}/`));
const exactly = (...files: string[]) => (target: string) => files.includes(target);
const any = (...preds: Array<(t: string) => boolean>) => (target: string) => preds.some((p) => p(target));

/** Which repo files each layer may import (besides files of its own folder). */
const REPO_RULES: Record<string, { allowed: (target: string) => boolean; rule: string }> = {
  util: { allowed: () => false, rule: "src/util/ imports nothing in the repo" },
  wamp: { allowed: inFolders("util"), rule: "src/wamp/ may import util/" },
  transport: { allowed: inFolders("wamp", "util"), rule: "src/transport/ may import wamp/, util/ (never router/)" },
  store: { allowed: inFolders("util"), rule: "src/store/ may import util/" },
  auth: { allowed: inFolders("wamp", "store", "util"), rule: "src/auth/ may import wamp/, store/, util/" },
  rbac: { allowed: inFolders("wamp", "store", "util"), rule: "src/rbac/ may import wamp/, store/, util/" },
  router: {
    allowed: inFolders("wamp", "auth", "rbac", "store", "util"),
    rule: "src/router/ may import wamp/, auth/, rbac/, store/, util/",
  },
  cluster: {
    allowed: any(exactly("src/router/mod.ts", "src/transport/mod.ts"), inFolders("wamp", "util")),
    rule: "src/cluster/ may import router/mod.ts, transport/mod.ts, wamp/, util/",
  },
  gateway: {
    allowed: any(exactly("src/router/mod.ts", "src/transport/mod.ts"), inFolders("wamp", "util")),
    rule: "src/gateway/ may import router/mod.ts, transport/mod.ts, wamp/, util/",
  },
  runtime: {
    allowed: any(exactly("src/transport/channel.ts"), inFolders("util")),
    rule: "src/runtime/ may import transport/channel.ts, util/",
  },
  edge: {
    allowed: (t) => /^src\/[^/]+\/mod\.ts$/.test(t),
    rule: "edge/ may import src/*/mod.ts only",
  },
  "src-root": {
    allowed: (t) => t.startsWith("src/"),
    rule: "src/server.ts and the other top-level src files may import anything in src/ (never edge/)",
  },
  mod: { allowed: () => true, rule: "mod.ts may import anything" },
};

/** Libraries confined to one place (ARCHITECTURE.md §1 and §6). */
const LIBRARY_RULES: Array<{ matches: (spec: string) => boolean; allowedIn: (from: string) => boolean; rule: string }> = [
  {
    matches: (s) => /^(@msgpack\/msgpack|msgpackr|cbor-x|cbor)(\/|$)/.test(s),
    allowedIn: (f) => f.startsWith("src/wamp/serializers/"),
    rule: "serializer libraries only inside src/wamp/serializers/",
  },
  {
    matches: (s) => s === "node:sqlite",
    allowedIn: (f) => f.startsWith("src/store/") && f.includes("sqlite"),
    rule: "node:sqlite only in the SQLite store (src/store/*sqlite*)",
  },
  {
    matches: (s) => /^(@noble\/|tweetnacl)/.test(s),
    allowedIn: (f) => f.startsWith("src/auth/"),
    rule: "crypto libraries only in src/auth/",
  },
  {
    matches: (s) => /^hono(\/|$)/.test(s),
    allowedIn: (f) => f.startsWith("src/gateway/"),
    rule: "hono only in src/gateway/",
  },
];

/** Returns why importing `specifier` from repo file `from` breaks a rule, or undefined. */
export function checkImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".") && !specifier.startsWith("/")) {
    for (const lib of LIBRARY_RULES) {
      if (lib.matches(specifier) && !lib.allowedIn(from)) return `${from} imports "${specifier}": ${lib.rule}`;
    }
    return undefined;
  }
  const target = normalize(join(dirname(from), specifier)).replaceAll("\\", "/");
  const layer = layerOf(from);
  if (target.startsWith("edge/") && from.startsWith("src/")) {
    return `${from} imports ${target}: nothing in src/ imports edge/`;
  }
  if (layer === "src-root" || layer === "mod") {
    return REPO_RULES[layer].allowed(target) ? undefined : `${from} imports ${target}: ${REPO_RULES[layer].rule}`;
  }
  if (layer === layerOf(target)) return undefined; // same folder (or its subfolders)
  const rules = REPO_RULES[layer];
  if (!rules) return `${from}: folder "${layer}" is not in the layer table of ARCHITECTURE.md §1`;
  return rules.allowed(target) ? undefined : `${from} imports ${target}: ${rules.rule}`;
}

/** Module specifiers of static imports/re-exports (at column 0, possibly multi-line) and import(). */
export function importsOf(source: string): string[] {
  const specs: string[] = [];
  const statement = /^(?:import|export)\s+(?:type\s+)?[\w*\s{},$]*?\s*from\s*["']([^"']+)["']/gm;
  const bare = /^import\s*["']([^"']+)["']/gm;
  const dynamic = /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;
  for (const re of [statement, bare]) for (const m of source.matchAll(re)) specs.push(m[1]);
  for (const line of codeLines(source)) for (const m of line.matchAll(dynamic)) specs.push(m[1]);
  return specs;
}

/** Source lines without whole-line comments and trailing `// …` comments. */
function codeLines(source: string): string[] {
  return source
    .split("\n")
    .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
    .map((line) => line.replace(/\s\/\/\s.*$/, ""));
}

function tsFiles(dir: string): string[] {
  const full = join(ROOT, dir);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [dir];
  return readdirSync(full, { recursive: true })
    .map((f) => join(dir, String(f)).replaceAll("\\", "/"))
    .filter((f) => f.endsWith(".ts") && statSync(join(ROOT, f)).isFile())
    .sort();
}

const files = [...tsFiles("src"), ...tsFiles("edge"), ...tsFiles("mod.ts")];
const read = (f: string) => readFileSync(join(ROOT, f), "utf8");

describe("architecture (ARCHITECTURE.md §1)", () => {
  test("the scan finds the router's source files", () => {
    expect(files).toContain("mod.ts");
    expect(files.filter((f) => f.startsWith("src/")).length).toBeGreaterThan(10);
  });

  test("imports only point down the layer table", () => {
    const violations = files.flatMap((f) => importsOf(read(f)).map((s) => checkImport(f, s)).filter((v) => v));
    expect(violations).toEqual([]);
  });

  test("Bun.* and Deno.* appear in src/ only inside src/runtime/", () => {
    const uses = files
      .filter((f) => f.startsWith("src/") && !f.startsWith("src/runtime/"))
      .flatMap((f) =>
        codeLines(read(f))
          .filter((line) => /\b(Bun|Deno)\??\.[A-Za-z_]/.test(line))
          .map((line) => `${f}: ${line.trim()}`)
      );
    expect(uses).toEqual([]);
  });
});

describe("the architecture checker itself", () => {
  test("reads single-line, multi-line, type, re-export, side-effect and dynamic imports", () => {
    const source = [
      'import { a } from "./a.ts";',
      "import type { B } from '../b.ts';",
      "import {",
      "  c,",
      "  type D,",
      '} from "./c.ts";',
      'export { e } from "./e.ts";',
      'export * as f from "./f.ts";',
      'import "./side.ts";',
      'const g = await import("./g.ts");',
      ' * import { no } from "./doc_comment.ts";',
      'const s = "import x from ./not_an_import.ts";',
    ].join("\n");
    expect(importsOf(source)).toEqual(["./a.ts", "../b.ts", "./c.ts", "./e.ts", "./f.ts", "./side.ts", "./g.ts"]);
  });

  test.each([
    ["src/util/log.ts", "../wamp/messages.ts", false],
    ["src/wamp/codec.ts", "../util/clock.ts", true],
    ["src/wamp/codec.ts", "../transport/channel.ts", false],
    ["src/transport/framed_peer.ts", "../router/mod.ts", false],
    ["src/transport/framed_peer.ts", "../wamp/peer.ts", true],
    ["src/router/dealer.ts", "../auth/mod.ts", true],
    ["src/router/dealer.ts", "../transport/mod.ts", false],
    ["src/gateway/app.ts", "../router/mod.ts", true],
    ["src/gateway/app.ts", "../router/dealer.ts", false],
    ["src/runtime/bun.ts", "../transport/channel.ts", true],
    ["src/runtime/bun.ts", "../transport/websocket.ts", false],
    ["edge/uplink.ts", "../src/router/mod.ts", true],
    ["edge/uplink.ts", "../src/router/router.ts", false],
    ["src/server.ts", "../edge/uplink.ts", false],
    ["src/server.ts", "./runtime/detect.ts", true],
    ["src/router/router.ts", "../config.ts", false],
    ["mod.ts", "./edge/mod.ts", true],
    ["src/wamp/serializers/msgpack.ts", "@msgpack/msgpack", true],
    ["src/wamp/codec.ts", "cbor-x", false],
    ["src/store/sqlite_store.ts", "node:sqlite", true],
    ["src/store/memory_store.ts", "node:sqlite", false],
    ["src/auth/cryptosign.ts", "@noble/curves/ed25519.js", true],
    ["src/router/router.ts", "@noble/hashes/sha2.js", false],
    ["src/gateway/app.ts", "hono", true],
    ["src/runtime/bun.ts", "hono/bun", false],
  ] as const)("%s importing %s is allowed: %p", (from, spec, ok) => {
    expect(checkImport(from, spec) === undefined).toBe(ok);
  });
});
