/**
 * Publisher: publishes [seq, payload] as fast as the window allows: at most `window`
 * publications ahead of the slowest subscriber (reported through the orchestrator), so the
 * router's outbound queues stay bounded and no subscriber is dropped as a slow consumer.
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
  const pump = () => {
    scheduled = false;
    let n = 0;
    while (running && seq - delivered < window && n++ < BATCH) {
      session.send([T.PUBLISH, seq + 1, {}, topic, [seq, payloadArg]]);
      seq++;
    }
    lastAt = now();
    // A full batch: yield to the event loop and continue; otherwise the window is full and the
    // next progress report resumes the pump.
    if (running && n > BATCH && !scheduled) {
      scheduled = true;
      setImmediate(pump);
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
