/**
 * Cost of routing a pattern-matched call: UriMatcher.best() with 10k other exact, prefix and
 * wildcard registrations present, best of several rounds.
 *
 *   bun bench/profile/uri_match.ts [repo-root=.]
 */
import { join, resolve } from "node:path";

const root = resolve(process.argv[2] ?? ".");
const { UriMatcher } = await import(join(root, "src/router/uri_matcher.ts"));
const m = new UriMatcher();
for (let i = 0; i < 10_000; i++) {
  m.set(`app.svc${i}.op`, "exact", i);
  if (i % 10 === 0) m.set(`app.p${i}`, "prefix", i);
  if (i % 10 === 1) m.set(`app..w${i}`, "wildcard", i);
}
m.set("bench.", "prefix", -1);
m.set("bench..echo", "wildcard", -2);
const N = 1_000_000;
for (const uri of ["bench.x.echo", "bench2.x.echo"]) {
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < N; i++) m.best(uri);
    best = Math.min(best, performance.now() - t);
  }
  console.log(JSON.stringify({ uri, match: m.best(uri)?.pattern ?? null, nsPerLookup: Math.round((best * 1e6) / N) }));
}
