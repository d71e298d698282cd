/**
 * Filler: one session holding `count` registrations that never match the measured calls (80%
 * exact, 10% prefix, 10% wildcard), so pattern-matched calls are routed with a full registry.
 */
import { codecFor } from "../codec.ts";
import { now } from "../clock.ts";
import { join } from "../session.ts";
import { at, type RoleFactory } from "./role.ts";

export const filler: RoleFactory = async (spec, send) => {
  const session = await join(spec.endpoint, spec.transport, codecFor(spec.serializer));
  const count = spec.count ?? 10_000;
  for (let i = 0; i < count; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, count - i) }, (_, j) => {
      const k = i + j;
      if (k % 10 === 8) return session.register(`filler.prefix.p${k}`, "prefix");
      if (k % 10 === 9) return session.register(`filler.w${k}..echo`, "wildcard");
      return session.register(`filler.exact.e${k}`);
    }));
  }
  return {
    start(time, durationMs) {
      at(time + durationMs, () => send({ ev: "done", report: { role: "filler", ops: count, errors: 0, lost: 0, startedAt: time, lastAt: now() } }));
    },
    close: () => session.close(),
  };
};
