/**
 * Callee: registers one procedure (exact, prefix or wildcard), checks every INVOCATION's payload
 * and answers with a pre-encoded YIELD carrying the same payload (so the caller's check covers
 * the whole round trip). Progressive invocations get `streamLength` progressive YIELDs and a final one.
 */
import { codecFor, sameValue } from "../codec.ts";
import { now } from "../clock.ts";
import { join, T } from "../session.ts";
import { invocationMatcher } from "../fast_checks.ts";
import { payloadFor, payloadTail } from "../payloads.ts";
import { at, type RoleFactory } from "./role.ts";

export const callee: RoleFactory = async (spec, send) => {
  const codec = codecFor(spec.serializer);
  const session = await join(spec.endpoint, spec.transport, codec);
  await session.register(spec.procedure!, spec.match ?? "exact");
  const payload = payloadFor(spec.payload);
  const yieldFrame = codec.template(T.YIELD, [{}, ...payloadTail(payload)]);
  const streamLength = spec.streamLength ?? 1000;
  let ops = 0;
  let errors = 0;
  let detail: string | undefined;
  let startedAt = 0;
  let lastAt = 0;
  session.onMessage = (msg) => {
    if (msg[0] !== T.INVOCATION) {
      errors++;
      detail ??= `unexpected message ${JSON.stringify(msg).slice(0, 120)}`;
      return;
    }
    const id = msg[1] as number;
    const details = msg[3] as Record<string, unknown>;
    ops++;
    lastAt = now();
    if (details?.receive_progress) {
      for (let i = 0; i < streamLength; i++) session.send([T.YIELD, id, { progress: true }, [i]]);
      session.send([T.YIELD, id, {}, [streamLength]]);
      return;
    }
    if (!sameValue(msg[4] ?? [], payload.args) || (payload.kwargs && !sameValue(msg[5], payload.kwargs))) {
      errors++;
      detail ??= "invocation payload differs from the call's";
      session.send([T.ERROR, T.INVOCATION, id, {}, "bench.error.payload"]);
      return;
    }
    session.sendFrame(yieldFrame(id));
  };
  {
    // INVOCATIONs in exactly the expected form skip the full decode (fast_checks.ts).
    const fast = invocationMatcher(codec, payload);
    const full = session.conn.onFrame;
    session.conn.onFrame = (frame) => {
      const id = fast(frame);
      if (id < 0) return full(frame);
      ops++;
      lastAt = now();
      session.sendFrame(yieldFrame(id));
    };
  }
  return {
    start(time, durationMs) {
      at(time, () => (startedAt = now()));
      // The callee has nothing to drain: it reports after the callers stopped (plus their drain).
      at(time + durationMs + 50, () => send({ ev: "done", report: { role: "callee", ops, errors, lost: 0, startedAt, lastAt, detail } }));
    },
    close: () => session.close(),
  };
};
