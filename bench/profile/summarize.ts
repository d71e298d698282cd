/**
 * Summarises a V8/JSC .cpuprofile: top functions by self time and by total time.
 *
 *   bun bench/profile/summarize.ts <file.cpuprofile> [top=30]
 */
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
const [file, topArg = "30"] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const hits = new Map<number, number>();
for (const s of prof.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
const total = prof.samples.length;
const label = (n: Node) => {
  const f = n.callFrame;
  const where = f.url ? f.url.replace(/^.*\/(src|node_modules)\//, "$1/") + ":" + (f.lineNumber + 1) : "";
  return `${f.functionName || "(anon)"} ${where}`.trim();
};
const self = new Map<string, number>();
const incl = new Map<string, number>();
for (const [id, h] of hits) {
  const n = byId.get(id)!;
  self.set(label(n), (self.get(label(n)) ?? 0) + h);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (seen.has(l)) continue;
    seen.add(l);
    incl.set(l, (incl.get(l) ?? 0) + h);
  }
}
const idle = [...self].filter(([l]) => /^\(idle\)|^\(program\)|^\(garbage/.test(l)).reduce((a, [, v]) => a + v, 0);
const top = Number(topArg);
const pct = (v: number) => ((100 * v) / total).toFixed(1).padStart(5) + "%";
console.log(`samples ${total}, idle/program ${pct(idle)}`);
console.log("\n-- self --");
for (const [l, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(v), l);
console.log("\n-- total --");
for (const [l, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(v), l);
