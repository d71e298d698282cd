/**
 * A lean load client for profiling the router (not the benchmark driver: bench/driver/ is).
 * One process, Bun's WebSocket client, frames built by hand where cheap, every result checked.
 *
 *   bun bench/profile/load.ts <ws-url> <scenario> [serializer] [seconds] [subscribers]
 *
 * scenario: rpc (1 caller, 100 calls in flight) | rpc-ints (same, 128 integers as args) | seq (one call at a time, p50/p99/p99.9) |
 *           fanout (1 publisher -> N subscribers, events/s delivered, in order, none lost)
 * Prints one JSON line. Run it against a router started by bench/profile/run_router.ts.
 */
import { Decoder, Encoder } from "@msgpack/msgpack";
import { Encoder as CborEncoder } from "cbor-x/encode";

type Ser = "json" | "msgpack" | "cbor";
const [url = "ws://127.0.0.1:18080/ws", scenario = "rpc", serArg = "json", secArg = "3", subsArg = "10"] =
  process.argv.slice(2);
const ser = serArg as Ser;
const seconds = Number(secArg);
const SUBSCRIBERS = Number(subsArg);
const PAYLOAD = "x".repeat(64);
// scenario "rpc-ints": the call carries 128 integers instead of the 64-byte string.
const INTS = Array.from({ length: 128 }, (_, i) => i * 1000);
const ARGS: unknown[] = scenario === "rpc-ints" ? INTS : [PAYLOAD];
const ARGS_JSON = JSON.stringify(ARGS);

const mp = new Encoder({ useBigInt64: false });
const mpd = new Decoder();
const cb = new CborEncoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, variableMapSize: true });

function enc(msg: unknown[]): string | Uint8Array {
  if (ser === "json") return JSON.stringify(msg);
  if (ser === "msgpack") return mp.encode(msg);
  return cb.encode(msg);
}
function dec(data: string | ArrayBuffer | Uint8Array): unknown[] {
  if (typeof data === "string") return JSON.parse(data);
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (ser === "msgpack") return mpd.decode(bytes) as unknown[];
  return cb.decode(bytes) as unknown[];
}

interface Client {
  ws: WebSocket;
  on: (m: unknown[]) => void;
  next(): Promise<unknown[]>;
}

async function join(): Promise<Client> {
  const ws = new WebSocket(url, [`wamp.2.${ser}`]);
  ws.binaryType = "arraybuffer";
  const queue: unknown[][] = [];
  let wake: (() => void) | undefined;
  const c: Client = {
    ws,
    on: (m) => {
      queue.push(m);
      wake?.();
    },
    async next() {
      while (!queue.length) await new Promise<void>((r) => (wake = r));
      return queue.shift()!;
    },
  };
  ws.onmessage = (e) => c.on(dec(e.data));
  await new Promise((res, rej) => {
    ws.onopen = res;
    ws.onerror = rej;
  });
  ws.send(enc([1, "realm1", { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} } }]));
  const w = await c.next();
  if (w[0] !== 2) throw new Error(`join failed: ${JSON.stringify(w)}`);
  return c;
}

function callFrame(request: number): string | Uint8Array {
  if (ser === "json") return `[48,${request},{},"bench.echo",${ARGS_JSON}]`;
  return enc([48, request, {}, "bench.echo", ARGS]);
}

async function callee(): Promise<Client> {
  const c = await join();
  c.ws.send(enc([64, 1, {}, "bench.echo"]));
  const r = await c.next();
  if (r[0] !== 65) throw new Error("register failed");
  c.on = (m) => {
    if (m[0] === 68) c.ws.send(enc([70, m[1], {}, m[4]]));
  };
  return c;
}

async function rpc(): Promise<object> {
  const ce = await callee();
  const caller = await join();
  let request = 0;
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await new Promise<void>((resolve) => {
    caller.on = (m) => {
      if (m[0] !== 50 || (m[3] as unknown[])?.[0] !== ARGS[0] || (m[3] as unknown[]).length !== ARGS.length) {
        throw new Error(`bad result ${JSON.stringify(m)}`);
      }
      done++;
      if (performance.now() < end) caller.ws.send(callFrame(++request));
      else if (done === request) resolve();
    };
    for (let i = 0; i < 100; i++) caller.ws.send(callFrame(++request));
  });
  const t = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  caller.ws.close();
  ce.ws.close();
  return { scenario: "rpc", ser, ops: done, callsPerSec: Math.round(done / t), clientCpu: +((cpu.user + cpu.system) / 1e6 / t).toFixed(2) };
}

async function seq(): Promise<object> {
  const ce = await callee();
  const caller = await join();
  const lat: number[] = [];
  let request = 0;
  const end = performance.now() + seconds * 1000;
  await new Promise<void>((resolve) => {
    let sent = 0;
    caller.on = (m) => {
      if (m[0] !== 50) throw new Error(`bad result ${JSON.stringify(m)}`);
      lat.push(performance.now() - sent);
      if (performance.now() < end) {
        sent = performance.now();
        caller.ws.send(callFrame(++request));
      } else resolve();
    };
    sent = performance.now();
    caller.ws.send(callFrame(++request));
  });
  caller.ws.close();
  ce.ws.close();
  lat.splice(0, Math.min(200, lat.length >> 3)); // warm-up
  lat.sort((a, b) => a - b);
  const q = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] * 1000);
  return { scenario: "seq", ser, ops: request, calls: lat.length, p50us: q(0.5), p99us: q(0.99), p999us: q(0.999) };
}

async function fanout(): Promise<object> {
  const subs: Client[] = [];
  for (let i = 0; i < SUBSCRIBERS; i += 50) {
    subs.push(...await Promise.all(Array.from({ length: Math.min(50, SUBSCRIBERS - i) }, () => join())));
  }
  let received = 0;
  for (const s of subs) {
    s.ws.send(enc([32, 1, {}, "bench.topic"]));
    const r = await s.next();
    if (r[0] !== 33) throw new Error("subscribe failed");
    let last = -1;
    s.on = (m) => {
      if (m[0] !== 36) return;
      const n = (m[4] as number[])[0];
      if (n !== last + 1) throw new Error(`event out of order: ${n} after ${last}`);
      last = n;
      received++;
    };
  }
  const pub = await join();
  // Windowed: at most `window` publications unacknowledged, so the publisher cannot run away.
  const window = SUBSCRIBERS >= 1000 ? 20 : SUBSCRIBERS >= 100 ? 100 : 500;
  let seq = 0;
  let acked = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const cpu0 = process.cpuUsage();
  const publish = () => {
    const ack = seq % 10 === 9;
    const s = seq++;
    pub.ws.send(ser === "json"
      ? `[16,${s + 1},${ack ? '{"acknowledge":true}' : "{}"},"bench.topic",[${s},"${PAYLOAD}"]]`
      : enc([16, s + 1, ack ? { acknowledge: true } : {}, "bench.topic", [s, PAYLOAD]]));
  };
  await new Promise<void>((resolve) => {
    pub.on = (m) => {
      if (m[0] !== 17) throw new Error(`bad ack ${JSON.stringify(m)}`);
      acked += 10;
      if (performance.now() < end) {
        for (let i = 0; i < 10; i++) publish();
      } else if (acked >= seq) resolve();
    };
    for (let i = 0; i < window; i++) publish();
  });
  const expected = seq * SUBSCRIBERS;
  const deadline = performance.now() + 10000;
  while (received < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  const t = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  for (const s of [...subs, pub]) s.ws.close();
  if (received !== expected) throw new Error(`lost events: ${received}/${expected}`);
  return {
    scenario: "fanout",
    ser,
    subscribers: SUBSCRIBERS,
    ops: received,
    eventsPerSec: Math.round(received / t),
    clientCpu: +((cpu.user + cpu.system) / 1e6 / t).toFixed(2),
  };
}

const run = { rpc, "rpc-ints": rpc, seq, fanout }[scenario as "rpc" | "seq" | "fanout"];
if (!run) throw new Error(`unknown scenario ${scenario}`);
console.log(JSON.stringify(await run()));
process.exit(0);
