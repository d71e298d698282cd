/**
 * Publisher: publishes [seq, payload] as fast as the window allows: at most `window`
 * publications ahead of the slowest subscriber (reported through the orchestrator), so the
 * router's outbound queues stay bounded and no subscriber is dropped as a slow consumer.
 * With `rate` it offers a fixed number of publications per second instead (still within the window).
 */
import { codecFor } from "../codec.ts";
import { now } from "../clock.ts";
import { join, T } from "../session.ts";
import { payloadFor } from "../payloads.ts";
import { at, type RoleFactory } from "./role.ts";

const BATCH = 500;

export const publisher: RoleFactory = async (spec, send) => {
  const codec = codecFor(spec.serializer);
  const session = await join(spec.endpoint, spec.transport, codec);
  const payloadArg = payloadFor(spec.payload).args[0];
  const window = spec.window ?? 1000;
  const topic = spec.topic!;
  let seq = 0;
  let delivered = 0;
  let running = false;
  let errors = 0;
  let detail: string | undefined;
  let startedAt = 0;
  let lastAt = 0;
  let scheduled = false;
  session.onMessage = (msg) => {
    errors++;
    detail ??= `unexpected message ${JSON.stringify(msg).slice(0, 120)}`;
  };
  const rate = spec.rate;
  const due = () => (rate ? Math.floor(((now() - startedAt) / 1000) * rate) : Infinity);
  const pump = () => {
    scheduled = false;
    let n = 0;
    const limit = due();
    while (running && seq - delivered < window && seq < limit && n++ < BATCH) {
      session.send([T.PUBLISH, seq + 1, {}, topic, [seq, payloadArg]]);
      seq++;
    }
    lastAt = now();
    // A full batch: yield to the event loop and continue; otherwise the window is full and the
    // next progress report resumes the pump.
    if (running && !scheduled && (n > BATCH || seq >= limit)) {
      scheduled = true;
      if (n > BATCH) setImmediate(pump);
      else setTimeout(pump, 1); // a fixed rate: come back when the next publications are due
    }
  };
  return {
    start(time, durationMs) {
      at(time, () => {
        startedAt = now();
        running = true;
        pump();
        setTimeout(() => {
          running = false;
          send({ ev: "done", report: { role: "publisher", ops: seq, errors, lost: 0, startedAt, lastAt, detail } });
        }, durationMs);
      });
    },
    window(d) {
      delivered = d;
      if (running && !scheduled) pump();
    },
    close: () => session.close(),
  };
};
