/**
 * The added latency of one edge bridge hop. Starts a core and an edge as two `causeway`
 * processes (the edge uplinks to the core over one link), then measures sequential calls (one
 * in flight, so each sample is one full round trip) of an echo procedure:
 *
 *   direct        core caller -> core callee                  (the baseline)
 *   export hop    core caller -> (core -> link -> edge) -> edge callee
 *   import hop    edge caller -> (edge -> link -> core) -> core callee
 *   edge local    edge caller -> edge callee                   (the edge router alone)
 *
 * and prints p50/p99/mean per path and the hop's added p50/p99 over the direct path.
 *
 *   bun bench/edge_hop.ts [--calls 3000] [--carrier ws|tcp] [--serializer json|msgpack|cbor] [--mode link|compat]
 *
 * (--mode compat: one plain WAMP connection per realm instead of the link; carrier ws = WebSocket,
 * tcp = RawSocket.)
 *
 * The clients are Causeway's own WebSocket client (src/transport) with JSON, in this process;
 * the routers are separate processes on loopback. Warm-up calls are not counted.
 */
import { startRouterProcess } from "../test/_harness/router_process.ts";
import { connectWebSocket } from "../src/transport/mod.ts";
import { MessageType as T } from "../src/wamp/message_type.ts";
import type { Message } from "../src/wamp/messages.ts";
import type { Peer } from "../src/wamp/peer.ts";
import { serializerBySubprotocol } from "../src/wamp/serializers/mod.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const CALLS = Number(arg("calls", "3000"));
const WARMUP = Math.min(500, Math.ceil(CALLS / 5));
const CARRIER = arg("carrier", "ws");
const LINK_SERIALIZER = arg("serializer", "msgpack");
const MODE = arg("mode", "link");
const json = serializerBySubprotocol("wamp.2.json")!;
const payload = "x".repeat(64);

interface Client {
  peer: Peer;
  next(): Promise<Message>;
}

async function join(url: string, realm: string): Promise<Client> {
  const peer = await connectWebSocket(url, json);
  const queue: Message[] = [];
  let wake: (() => void) | undefined;
  peer.onMessage = (m) => {
    queue.push(m);
    wake?.();
  };
  const next = async () => {
    while (!queue.length) await new Promise<void>((r) => (wake = r));
    wake = undefined;
    return queue.shift()!;
  };
  peer.send({ type: T.HELLO, realm, details: { roles: { caller: {}, callee: {} } } });
  const welcome = await next();
  if (welcome.type !== T.WELCOME) throw new Error(`join ${realm} at ${url} failed: ${JSON.stringify(welcome)}`);
  return { peer, next };
}

async function echoCallee(url: string, realm: string, procedure: string): Promise<Client> {
  const callee = await join(url, realm);
  callee.peer.send({ type: T.REGISTER, request: 1, options: {}, procedure });
  const reply = await callee.next();
  if (reply.type !== T.REGISTERED) throw new Error(`register ${procedure} failed: ${JSON.stringify(reply)}`);
  callee.peer.onMessage = (m) => {
    if (m.type === T.INVOCATION) callee.peer.send({ type: T.YIELD, request: m.request, options: {}, args: m.args });
  };
  return callee;
}

let request = 0;
async function callOnce(caller: Client, procedure: string): Promise<Message> {
  caller.peer.send({ type: T.CALL, request: ++request, options: {}, procedure, args: [payload] });
  return await caller.next();
}

/** Calls until one succeeds (a bridged registration appears asynchronously). */
async function untilCallable(caller: Client, procedure: string): Promise<void> {
  const end = Date.now() + 15_000;
  for (;;) {
    const m = await callOnce(caller, procedure);
    if (m.type === T.RESULT) return;
    if (Date.now() > end) throw new Error(`${procedure} not callable: ${JSON.stringify(m)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function measure(caller: Client, procedure: string): Promise<number[]> {
  await untilCallable(caller, procedure);
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + CALLS; i++) {
    const t0 = performance.now();
    const m = await callOnce(caller, procedure);
    const dt = performance.now() - t0;
    if (m.type !== T.RESULT || m.args?.[0] !== payload) throw new Error(`bad result ${JSON.stringify(m)}`);
    if (i >= WARMUP) samples.push(dt);
  }
  return samples;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Row {
  path: string;
  p50: number;
  p99: number;
  mean: number;
}
function row(path: string, samples: number[]): Row {
  const s = [...samples].sort((a, b) => a - b);
  return { path, p50: pct(s, 50), p99: pct(s, 99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

const CORE_REALM = "com.acme.bench";
const core = await startRouterProcess({
  config: {
    node: "bench-core",
    listeners: [
      { name: "ws", transport: "websocket", host: "127.0.0.1", port: 0, edge: true },
      { name: "rawsocket", transport: "rawsocket", host: "127.0.0.1", port: 0, edge: true },
    ],
    store: { dataDir: ":memory:" },
    realms: [{ name: CORE_REALM }],
    log: { level: "info", format: "json" }, // "ready" is an info line (the harness waits for it)
  },
});
const edgeUrl = CARRIER === "tcp" ? `tcp://127.0.0.1:${core.rawsocketPort}` : core.wsUrl;
const edge = await startRouterProcess({
  config: {
    listeners: [{ name: "ws", transport: "websocket", host: "127.0.0.1", port: 0 }],
    store: { dataDir: ":memory:" },
    realms: [{ name: "site" }],
    log: { level: "info", format: "json" }, // "ready" is an info line (the harness waits for it)
    uplinks: [{
      name: "bench",
      url: edgeUrl,
      mode: MODE,
      node: "bench-edge",
      serializer: LINK_SERIALIZER,
      realms: [{
        local: "site",
        remote: CORE_REALM,
        export: { procedures: [{ uri: "bench.edge.", match: "prefix" }] },
        import: { procedures: [{ uri: "bench.core.", match: "prefix" }] },
      }],
    }],
  },
});

try {
  const coreCallee = await echoCallee(core.wsUrl, CORE_REALM, "bench.core.echo");
  const edgeCallee = await echoCallee(edge.wsUrl, "site", "bench.edge.echo");
  const coreCaller = await join(core.wsUrl, CORE_REALM);
  const edgeCaller = await join(edge.wsUrl, "site");

  const direct = row("direct (core -> core)", await measure(coreCaller, "bench.core.echo"));
  const exportHop = row("export hop (core -> edge)", await measure(coreCaller, "bench.edge.echo"));
  const importHop = row("import hop (edge -> core)", await measure(edgeCaller, "bench.core.echo"));
  const local = row("edge local (edge -> edge)", await measure(edgeCaller, "bench.edge.echo"));

  const f = (n: number) => n.toFixed(3).padStart(8);
  console.log(`\nedge hop latency: ${CALLS} sequential calls per path (+${WARMUP} warm-up), 64-byte payload,`);
  console.log(`clients JSON over WebSocket, ${MODE} mode over ${CARRIER} with ${LINK_SERIALIZER}, ${process.versions.bun ? `bun ${process.versions.bun}` : "node"}\n`);
  console.log(`| path                       |  p50 ms  |  p99 ms  | mean ms  | +p50 ms  | +p99 ms  |`);
  console.log(`| -------------------------- | -------- | -------- | -------- | -------- | -------- |`);
  for (const r of [direct, exportHop, importHop, local]) {
    const added = r === direct || r === local ? ["       -", "       -"] : [f(r.p50 - direct.p50), f(r.p99 - direct.p99)];
    console.log(`| ${r.path.padEnd(26)} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.mean)} | ${added[0]} | ${added[1]} |`);
  }
  for (const c of [coreCallee, edgeCallee, coreCaller, edgeCaller]) c.peer.close();
} finally {
  await edge.stop();
  await core.stop();
}
