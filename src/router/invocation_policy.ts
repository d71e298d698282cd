import type { Call } from "../wamp/messages.ts";
import type { Session } from "./session.ts";
import type { Callee, Registration } from "./registration.ts";

/**
 * WAMP "Shared Registration": picks the callee a call goes to under the registration's
 * invocation policy. `skip` holds callees that must not be chosen (WAMP "Call Re-Routing":
 * those that answered wamp.error.unavailable, or that are over their outbound bound); the
 * rerouting rules then fall out of the same choice: roundrobin takes the next one, random
 * another one, first the one registered after, last the one registered before.
 * Undefined when no callee is left.
 */
export function pickCallee(reg: Registration, call: Call, skip?: readonly Session[]): Callee | undefined {
  const callees = reg.callees;
  const n = callees.length;
  if (n === 0) return undefined;
  // The common case (nothing to skip) allocates nothing.
  if (!skip) {
    if (reg.invoke === "single" || reg.invoke === "first") return callees[0];
    if (reg.invoke === "last") return callees[n - 1];
  }
  const ok = (c: Callee) => !skip || !skip.includes(c.session);
  switch (reg.invoke) {
    case "single":
    case "first":
      for (let i = 0; i < n; i++) if (ok(callees[i])) return callees[i];
      return undefined;
    case "last":
      for (let i = n - 1; i >= 0; i--) if (ok(callees[i])) return callees[i];
      return undefined;
    case "roundrobin":
      for (let k = 0; k < n; k++) {
        const i = (reg.next + k) % n;
        if (ok(callees[i])) {
          reg.next = (i + 1) % n;
          return callees[i];
        }
      }
      return undefined;
    case "random":
      return pickRandom(skip ? callees.filter(ok) : callees);
    case "queue_least_loaded": {
      let best: Callee | undefined;
      for (const c of callees) if (ok(c) && (!best || c.inflight < best.inflight)) best = c;
      return best;
    }
    case "jump_consistent_hash": {
      // The dealer checked that rkey is present before asking.
      const candidates = skip ? callees.filter(ok) : callees;
      if (candidates.length === 0) return undefined;
      return candidates[jumpConsistentHash(hashKey(String(call.options.rkey)), candidates.length)];
    }
  }
}

function pickRandom(list: Callee[]): Callee | undefined {
  return list.length === 0 ? undefined : list[Math.floor(Math.random() * list.length)];
}

const MASK64 = (1n << 64n) - 1n;
const LCG_MULTIPLIER = 2862933555777941757n;

/**
 * Jump consistent hash (Lamping & Veach, "A Fast, Minimal Memory, Consistent Hash
 * Algorithm"): maps a 64-bit key to a bucket in [0, buckets) so that growing the bucket
 * count moves only 1/n of the keys. The 64-bit LCG needs BigInt; it runs only for calls to
 * jump_consistent_hash registrations.
 */
export function jumpConsistentHash(key: bigint, buckets: number): number {
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    key = (key * LCG_MULTIPLIER + 1n) & MASK64;
    j = Math.floor((b + 1) * (2147483648 / (Number(key >> 33n) + 1)));
  }
  return b;
}

/** A 64-bit key from the routing key string: two FNV-1a 32-bit hashes with different offsets. */
export function hashKey(s: string): bigint {
  let h1 = 0x811c9dc5;
  let h2 = 0x050c5d1f;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x01000193) >>> 0;
  }
  return (BigInt(h1) << 32n) | BigInt(h2);
}
