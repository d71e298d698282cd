/**
 * Where a socket session's heap goes: the live-heap cost of each layer Causeway puts on a
 * connection, built N times in this process over a stand-in channel (no sockets), after a
 * full GC each time.
 *
 *   bun bench/memory/session_parts.ts [N=20000]      (prints a markdown table)
 *
 * The layers are the ones src/server.ts stacks per connection: the runtime's channel object,
 * acceptWebSocket / acceptRawSocket (framed peer, outbound queue, a child logger, frame
 * reader), the /metrics wrapper (PeerMetrics.wrap). The router's own session state is measured
 * by in_memory_sessions.ts; the runtime's socket by bare_idle_server.ts.
 */
import { heapStats } from "bun:jsc";
import { createLogger } from "../../src/util/log.ts";
import { PeerMetrics } from "../../src/gateway/peer_metrics.ts";
import { acceptRawSocket, acceptWebSocket } from "../../src/transport/mod.ts";
import type { ByteChannel, FrameChannel } from "../../src/transport/mod.ts";
import { serializers } from "../../src/wamp/serializers/mod.ts";
import type { Peer } from "../../src/wamp/peer.ts";

const fullGc = () => (globalThis as unknown as { Bun: { gc(sync: boolean): void } }).Bun.gc(true);
const noop = () => {};
const json = serializers.find((s) => s.name === "json")!;
// The server's logger (JSON lines), writing nowhere: what each peer's child logger copies.
const logger = createLogger({ level: "info", format: "json", write: noop });

function frameChannel(): FrameChannel {
  return {
    protocol: "wamp.2.json", remoteAddress: "127.0.0.2", remotePort: 40000, tls: false, bufferedAmount: 0,
    send: noop, close: noop, terminate: noop, cork: (fn: () => void) => fn(), onFrame: noop, onClose: noop, onDrain: noop,
  } as FrameChannel;
}

function byteChannel(): ByteChannel {
  return {
    remoteAddress: "127.0.0.2", remotePort: 40000, tls: false, bufferedBytes: 0,
    write: () => true, end: noop, destroy: noop, onData: noop, onClose: noop, onDrain: noop,
  } as ByteChannel;
}

function rawPeer(): Peer {
  let peer: Peer | undefined;
  const channel = byteChannel();
  acceptRawSocket(channel, { serializers, logger, onPeer: (p) => (peer = p) });
  channel.onData(Uint8Array.of(0x7f, 0xf1, 0, 0));
  return peer!;
}

async function perInstance(n: number, make: () => unknown): Promise<number> {
  // Warm up first: the first instances of a kind also create shared shapes and compiled code,
  // a one-time cost that is not per connection.
  for (let i = 0; i < 200; i++) make();
  const keep: unknown[] = new Array(n).fill(0);
  await new Promise((r) => setTimeout(r, 20));
  fullGc();
  fullGc();
  const before = heapStats().heapSize;
  for (let i = 0; i < n; i++) keep[i] = make();
  await new Promise((r) => setTimeout(r, 20));
  fullGc();
  fullGc();
  const after = heapStats().heapSize;
  keep.length = 0;
  return Math.round((after - before) / n);
}

export async function sessionParts(n = 20_000): Promise<{ part: string; bytes: number }[]> {
  const metrics = new PeerMetrics();
  const parts: [string, () => unknown][] = [
    ["child logger (log.child({transport, remote}))", () => logger.child({ transport: "websocket", remote: "127.0.0.2" })],
    ["WebSocket: runtime channel object (stand-in)", frameChannel],
    ["WebSocket: channel + acceptWebSocket (framed peer, outbound queue, child logger)", () => acceptWebSocket(frameChannel(), json, { logger })],
    ["WebSocket: … + PeerMetrics.wrap (what server.ts attaches)", () => metrics.wrap(acceptWebSocket(frameChannel(), json, { logger }))],
    ["RawSocket: channel + acceptRawSocket after the handshake", rawPeer],
    ["RawSocket: … + PeerMetrics.wrap (what server.ts attaches)", () => metrics.wrap(rawPeer())],
  ];
  const rows = [];
  for (const [part, make] of parts) rows.push({ part, bytes: await perInstance(n, make) });
  return rows;
}

if (import.meta.main) {
  const n = Number(process.argv[2] ?? 20_000);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`usage: bun bench/memory/session_parts.ts [N]  (a positive integer, got "${process.argv[2]}")`);
    process.exit(2);
  }
  console.log("| layer (built per connection) | live heap per instance |\n| --- | ---: |");
  for (const r of await sessionParts(n)) console.log(`| ${r.part} | ${r.bytes} B |`);
  process.exit(0);
}
