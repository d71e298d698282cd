import type { Clock } from "../util/clock.ts";

export interface FailureBackoffOptions {
  /** Delay after the first failure (default 250 ms); doubles per further failure. */
  baseMs?: number;
  /** Cap of the delay (default 8000 ms). */
  maxMs?: number;
  /** Failures are forgotten this long after the last one (default 15 min). */
  forgetMs?: number;
  /** Most keys remembered (oldest dropped first; default 10000). */
  maxKeys?: number;
}

/**
 * Slows repeated authentication failures from one source and authid: the n-th failure in a
 * row is answered only after min(base·2^(n-1), max) ms. Success clears the key.
 */
export interface FailureBackoff {
  /** Records a failure and returns how long to wait before answering it. */
  fail(key: string): number;
  succeed(key: string): void;
}

export function createFailureBackoff(clock: Clock, opts: FailureBackoffOptions = {}): FailureBackoff {
  const base = opts.baseMs ?? 250;
  const max = opts.maxMs ?? 8000;
  const forget = opts.forgetMs ?? 15 * 60_000;
  const maxKeys = opts.maxKeys ?? 10_000;
  const failures = new Map<string, { n: number; last: number }>();
  return {
    fail(key) {
      const now = clock.now();
      const prev = failures.get(key);
      const n = prev && now - prev.last < forget ? prev.n + 1 : 1;
      failures.delete(key);
      failures.set(key, { n, last: now });
      if (failures.size > maxKeys) failures.delete(failures.keys().next().value!);
      return base <= 0 ? 0 : Math.min(max, base * 2 ** Math.min(n - 1, 30));
    },
    succeed(key) {
      failures.delete(key);
    },
  };
}
