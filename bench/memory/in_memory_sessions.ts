/**
 * "Session state without socket": the router's own cost per joined session, for counts a single
 * process cannot reach over real sockets (the fd limit here is 20000 per process).
 *
 *   bun bench/memory/in_memory_sessions.ts <count>      (prints one JSON line)
 *
 * Runs in a fresh process of its own (idle_sessions.ts spawns it), so nothing else lives in the
 * heap. The router is built by the same composition root as `bun mod.ts` (startServer, here
 * with no listeners, an in-memory store and no session cap); each session is an in-memory peer
 * pair (linkedPeers) attached to it, doing HELLO → WELCOME.
 *
 * Three measurements, each after a full GC: the empty router; N peer pairs created but not
 * attached; the same pairs attached and joined. The router's per-session state is the last
 * step's delta (the pairs are subtracted), so the figure excludes the stand-in for a socket
 * and everything a transport keeps (buffers, framing state, kernel socket).
 */
import { heapStats } from "bun:jsc";

// Bun-only (so are these scripts); typed locally so `deno check` and tsc agree.
const fullGc = () => (globalThis as unknown as { Bun: { gc(sync: boolean): void } }).Bun.gc(true);
import { startServer } from "../../src/server.ts";
import { applyEnv, parseConfig } from "../../src/config.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import { linkedPeers } from "../../src/transport/mod.ts";
import type { Message } from "../../src/wamp/messages.ts";
import type { Peer } from "../../src/wamp/peer.ts";
import { sampleRss } from "./rss.ts";
import { grownTypes } from "./heap_types.ts";

export interface MemoryPoint {
  rss: number;
  heapSize: number;
  objectCount: number;
}

export interface InMemoryResult {
  count: number;
  established: number;
  empty: MemoryPoint;
  pairs: MemoryPoint;
  joined: MemoryPoint;
  /** Object types that grew most from `pairs` to `joined`, per session. */
  perSessionObjects: Record<string, number>;
  seconds: number;
}

async function measure(): Promise<MemoryPoint & { types: Record<string, number> }> {
  // Let queued microtasks and timers settle, then collect twice (finalizers, weak maps).
  await new Promise((r) => setTimeout(r, 50));
  fullGc();
  fullGc();
  const s = heapStats();
  return { rss: sampleRss(process.pid), heapSize: s.heapSize, objectCount: s.objectCount, types: s.objectTypeCounts };
}

const HELLO: Message = { type: 1, realm: "realm1", details: { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} } } };

export async function measureInMemorySessions(count: number): Promise<InMemoryResult> {
  const started = performance.now();
  const runtime = await detectRuntime();
  const config = applyEnv(parseConfig({ listeners: [], store: { dataDir: ":memory:" }, limits: { maxSessions: 0 } }, "bench/memory/in_memory_sessions.ts"), () => undefined);
  const server = await startServer(config, { runtime });
  const empty = await measure();

  const clients: Peer[] = [];
  const routerSides: Peer[] = [];
  for (let i = 0; i < count; i++) {
    const [client, routerSide] = linkedPeers();
    clients.push(client);
    routerSides.push(routerSide);
  }
  const pairs = await measure();

  let established = 0;
  // One shared handler (no closure per client), so the client side adds nothing per session.
  const onMessage = (m: Message) => {
    if (m.type === 2) established++;
  };
  const BATCH = 1000;
  for (let i = 0; i < count; i += BATCH) {
    for (let j = i; j < Math.min(count, i + BATCH); j++) {
      clients[j].onMessage = onMessage;
      server.router.attach(routerSides[j]);
      clients[j].send(HELLO);
    }
    // Let this batch's HELLOs and WELCOMEs go through before queueing the next.
    await new Promise((r) => setTimeout(r, 0));
  }
  routerSides.length = 0;
  const joined = await measure();
  if (established !== count || server.router.sessionCount !== count) {
    throw new Error(`only ${established} of ${count} sessions got WELCOME (router counts ${server.router.sessionCount})`);
  }
  const point = ({ rss, heapSize, objectCount }: MemoryPoint) => ({ rss, heapSize, objectCount });
  const result = {
    count, established, empty: point(empty), pairs: point(pairs), joined: point(joined), perSessionObjects: grownTypes(pairs.types, joined.types, count),
    seconds: (performance.now() - started) / 1000,
  };
  clients.length = 0;
  return result;
}

if (import.meta.main) {
  const count = Number(process.argv[2]);
  if (!Number.isInteger(count) || count < 1) {
    console.error(`usage: bun bench/memory/in_memory_sessions.ts <count>  (a positive integer, got "${process.argv[2] ?? ""}")`);
    process.exit(2);
  }
  console.log(JSON.stringify(await measureInMemorySessions(count)));
  process.exit(0);
}
