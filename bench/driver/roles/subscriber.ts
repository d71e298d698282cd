/**
 * Subscribers: `sessions` sessions in this process, each subscribed to the topic. Every EVENT
 * must carry the next sequence number and the publisher's payload; the process reports the
 * slowest session's count every few milliseconds (the publisher's flow control) and, once told
 * how many were published, waits until every session has them all.
 */
import { codecFor, sameValue } from "../codec.ts";
import { now } from "../clock.ts";
import { join, T, type Session } from "../session.ts";
import { eventMatcher } from "../fast_checks.ts";
import { payloadFor } from "../payloads.ts";
import { DRAIN_MS, type RoleFactory } from "./role.ts";

const PROGRESS_EVERY_MS = 4;

export const subscriber: RoleFactory = async (spec, send) => {
  const codec = codecFor(spec.serializer);
  const n = spec.sessions ?? 1;
  const payloadArg = payloadFor(spec.payload).args[0];
  const received = new Float64Array(n);
  const sessions: Session[] = [];
  let errors = 0;
  let detail: string | undefined;
  let startedAt = 0;
  let lastAt = 0;
  let expected = -1;
  let onAll: (() => void) | undefined;
  // Join in small parallel batches: a thousand simultaneous handshakes only queue in the kernel.
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => join(spec.endpoint, spec.transport, codec)));
    await Promise.all(batch.map((s) => s.subscribe(spec.topic!)));
    sessions.push(...batch);
  }
  const fast = eventMatcher(codec, payloadArg);
  sessions.forEach((s, i) => {
    const accept = (seq: number) => {
      if (seq !== received[i]) {
        errors++;
        detail ??= `event ${seq} where ${received[i]} was due`;
      }
      received[i] = seq + 1;
      lastAt = now();
      if (received[i] === expected) onAll?.();
    };
    s.onMessage = (msg) => {
      const args = msg[4] as unknown[] | undefined;
      if (msg[0] !== T.EVENT || !args) {
        errors++;
        detail ??= `unexpected message ${JSON.stringify(msg).slice(0, 120)}`;
        return;
      }
      if (!sameValue(args[1], payloadArg)) {
        errors++;
        detail ??= "event payload differs from the publication's";
      }
      accept(args[0] as number);
    };
    // EVENTs in exactly the expected form skip the full decode (fast_checks.ts).
    const full = s.conn.onFrame;
    s.conn.onFrame = (frame) => {
      const seq = fast(frame);
      if (seq < 0) full(frame);
      else accept(seq);
    };
  });
  const slowest = () => {
    let m = Infinity;
    for (let i = 0; i < n; i++) if (received[i] < m) m = received[i];
    return m;
  };
  let reported = -1;
  const progress = setInterval(() => {
    const m = slowest();
    if (m !== reported) send({ ev: "progress", delivered: (reported = m) });
  }, PROGRESS_EVERY_MS);
  return {
    start(time) {
      startedAt = time;
    },
    expect(count) {
      expected = count;
      const report = () => {
        clearInterval(progress);
        clearTimeout(timer);
        onAll = undefined;
        let total = 0;
        for (let i = 0; i < n; i++) total += Math.min(received[i], count);
        send({ ev: "done", report: { role: "subscriber", ops: total, errors, lost: n * count - total, startedAt, lastAt, detail } });
      };
      const timer = setTimeout(report, DRAIN_MS);
      onAll = () => {
        if (slowest() >= count) report();
      };
      onAll();
    },
    close: () => sessions.forEach((s) => s.close()),
  };
};
