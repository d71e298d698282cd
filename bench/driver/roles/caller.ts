/**
 * Caller: keeps `inFlight` calls outstanding (1 = sequential latency), verifies every RESULT's
 * payload against what was sent, and in "progressive" mode verifies each stream's progressive
 * results arrive complete and in order. CALL frames are pre-encoded (only the id is spliced in).
 */
import { codecFor, sameValue } from "../codec.ts";
import { now } from "../clock.ts";
import { join, T } from "../session.ts";
import type { LatencySummary } from "../protocol.ts";
import { resultMatcher } from "../fast_checks.ts";
import { payloadFor, payloadTail } from "../payloads.ts";
import { at, DRAIN_MS, type RoleFactory } from "./role.ts";

export const caller: RoleFactory = async (spec, send) => {
  const codec = codecFor(spec.serializer);
  const session = await join(spec.endpoint, spec.transport, codec);
  const progressive = spec.mode === "progressive";
  const streamLength = spec.streamLength ?? 1000;
  const payload = payloadFor(spec.payload);
  const expectedArgs = payload.args;
  const expectedKwargs = payload.kwargs;
  const callFrame = codec.template(T.CALL, [progressive ? { receive_progress: true } : {}, spec.procedure, ...(progressive ? [] : payloadTail(payload))]);
  const inFlight = spec.inFlight ?? 100;
  // Outstanding calls: request id -> send time (ms), or next expected progressive index.
  const pending = new Map<number, number>();
  let nextId = 0;
  let running = false;
  let ops = 0;
  let errors = 0;
  let startedAt = 0;
  let lastAt = 0;
  let detail: string | undefined;
  let latencies = new Float64Array(spec.latency ? 65536 : 0);
  let nLat = 0;

  const call = () => {
    const id = ++nextId;
    pending.set(id, progressive ? 0 : spec.latency ? performance.now() : 0);
    session.sendFrame(callFrame(id));
  };
  const fail = (why: string) => {
    errors++;
    detail ??= why;
  };
  let finish: (() => void) | undefined;

  session.onMessage = (msg) => {
    const id = msg[1] as number;
    if (msg[0] === T.ERROR) {
      const rid = msg[2] as number;
      if (pending.delete(rid)) fail(`ERROR ${String(msg[4])}`);
      return next();
    }
    const sentOrIndex = pending.get(id);
    if (msg[0] !== T.RESULT || sentOrIndex === undefined) return fail(`unexpected message ${JSON.stringify(msg).slice(0, 120)}`);
    const details = msg[2] as Record<string, unknown> | undefined;
    if (progressive) {
      const value = (msg[3] as unknown[] | undefined)?.[0];
      if (details?.progress) {
        if (value !== sentOrIndex) return fail(`progressive result ${String(value)} where ${sentOrIndex} was due`);
        pending.set(id, sentOrIndex + 1);
        ops++;
        lastAt = now();
        return;
      }
      if (value !== streamLength || sentOrIndex !== streamLength) fail(`final result after ${sentOrIndex} of ${streamLength} progressive results`);
    } else if (!sameValue(msg[3] ?? [], expectedArgs) || (expectedKwargs && !sameValue(msg[4], expectedKwargs))) {
      fail("result payload differs from the call's");
    } else {
      return answered(id, sentOrIndex);
    }
    pending.delete(id);
    next();
  };

  /** A verified RESULT of a plain call. */
  const answered = (id: number, sent: number) => {
    ops++;
    lastAt = now();
    if (spec.latency) {
      if (nLat === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[nLat++] = (performance.now() - sent) * 1000;
    }
    pending.delete(id);
    next();
  };
  const next = () => {
    if (running) call();
    else if (!pending.size) finish?.();
  };

  if (!progressive) {
    // RESULTs in exactly the expected form skip the full decode (fast_checks.ts); others take it.
    const fast = resultMatcher(codec, payload);
    const full = session.conn.onFrame;
    session.conn.onFrame = (frame) => {
      const id = fast(frame);
      const sent = id >= 0 ? pending.get(id) : undefined;
      if (sent === undefined) full(frame);
      else answered(id, sent);
    };
  }

  return {
    start(time, durationMs) {
      at(time, () => {
        startedAt = now();
        running = true;
        for (let i = 0; i < inFlight; i++) call();
        setTimeout(() => {
          running = false;
          const report = () => {
            clearTimeout(timer);
            finish = undefined;
            send({
              ev: "done",
              report: {
                role: "caller", ops, errors, lost: pending.size, startedAt, lastAt, detail,
                latencyUs: spec.latency ? summarize(latencies.subarray(0, nLat)) : undefined,
              },
            });
          };
          const timer = setTimeout(report, DRAIN_MS);
          finish = report;
          if (!pending.size) report();
        }, durationMs);
      });
    },
    close: () => session.close(),
  };
};

export function summarize(samples: Float64Array): LatencySummary {
  const s = Float64Array.from(samples).sort();
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0);
  return { count: s.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999), max: s.length ? s[s.length - 1] : 0 };
}
