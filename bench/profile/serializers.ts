/**
 * Serializer cost per routed call, in-process (no sockets): decode CALL, encode INVOCATION,
 * decode YIELD, encode RESULT, the four serializer operations one call costs the router.
 * Reports the best of several rounds (least disturbed by other processes on a shared machine).
 *
 *   bun bench/profile/serializers.ts [repo-root=.] [rounds=7] [json|msgpack|cbor]
 */
import { join, resolve } from "node:path";

const root = resolve(process.argv[2] ?? ".");
const rounds = Number(process.argv[3] ?? 7);
const only = process.argv[4];
const mod = await import(join(root, "src/wamp/serializers/mod.ts"));
const payload = "x".repeat(64);
const call = { type: 48, request: 123456, options: {}, procedure: "bench.echo", args: [payload] };
const invocation = { type: 68, request: 98765, registration: 4503599627370495, details: {}, args: [payload] };
const yld = { type: 70, request: 98765, options: {}, args: [payload] };
const result = { type: 50, request: 123456, details: {}, args: [payload] };
const N = 100_000;
for (const name of only ? [only] : ["json", "msgpack", "cbor"]) {
  const s = mod.serializerBySubprotocol(`wamp.2.${name}`);
  const callWire = s.encode(call);
  const yieldWire = s.encode(yld);
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let i = 0; i < N; i++) {
      s.decode(callWire);
      s.encode({ ...invocation, request: i });
      s.decode(yieldWire);
      s.encode({ ...result, request: i });
    }
    best = Math.min(best, performance.now() - t);
  }
  console.log(JSON.stringify({ serializer: name, usPerCall: +((best * 1000) / N).toFixed(3) }));
}
