/**
 * Self time of a .cpuprofile grouped by source file (native frames grouped as "(native)"),
 * to see which module the router spends its own time in.
 *
 *   bun bench/profile/by_file.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from "node:fs";

interface Node { id: number; callFrame: { functionName: string; url: string } }
const [file, topArg = "25"] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[] };
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const counts = new Map<string, number>();
for (const s of prof.samples) {
  const url = byId.get(s)!.callFrame.url;
  const key = url ? url.replace(/^.*\/(src|node_modules)\//, "$1/") : `(native) ${byId.get(s)!.callFrame.functionName}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
const total = prof.samples.length;
for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg))) {
  console.log(((100 * v) / total).toFixed(1).padStart(5) + "%", k);
}
