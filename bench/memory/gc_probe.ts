/**
 * Preloaded into the router process by the idle-session benchmark:
 *
 *   bun --preload ./bench/memory/gc_probe.ts mod.ts --config bench.json
 *
 * The router itself is unchanged (`mod.ts`, same composition root). On SIGUSR2 this probe runs
 * a full, synchronous garbage collection and writes one line to stderr:
 *
 *   {"memprobe":{"seq":1,"rss":…,"heapSize":…,"heapCapacity":…,"objectCount":…,"types":{…}}}
 *
 * Why: a heap figure read without a full GC (e.g. /metrics' heap_used) mixes live session state
 * with garbage not collected yet; the RSS is read by the parent from /proc, but the heap can
 * only be measured from inside. `types` holds the JSC object-type counts, which tell what a
 * session is made of (closures, Maps, arrays…).
 */
import { heapStats } from "bun:jsc";

// Bun-only (so are these scripts); typed locally so `deno check` and tsc agree.
const fullGc = () => (globalThis as unknown as { Bun: { gc(sync: boolean): void } }).Bun.gc(true);

let seq = 0;
process.on("SIGUSR2", () => {
  fullGc();
  fullGc();
  const stats = heapStats();
  const mem = process.memoryUsage();
  const line = {
    memprobe: {
      seq: ++seq,
      rss: mem.rss,
      heapSize: stats.heapSize,
      heapCapacity: stats.heapCapacity,
      extraMemorySize: stats.extraMemorySize,
      objectCount: stats.objectCount,
      types: stats.objectTypeCounts,
    },
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
});
