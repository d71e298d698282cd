/**
 * Reconnect delays for an uplink: exponential (×multiplier per failed attempt, from minMs up to
 * maxMs) with jitter, so a fleet of edges that lost the same core does not come back in one
 * synchronized wave.
 *
 * - "full" jitter: a uniform delay in [0, d] (spreads a fleet the most);
 * - "equal" jitter: a uniform delay in [d/2, 3d/2] (±50%), capped at maxMs — never reconnects
 *   at once, which is friendlier to a single edge's logs.
 *
 * `reset()` goes back to minMs; the uplink calls it once a connection has stayed up long enough
 * to count as stable (a link that flaps right after joining keeps backing off).
 */
export type Jitter = "full" | "equal";

export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  /** Growth per failed attempt; default 2. */
  multiplier?: number;
  /** Default "equal" (±50%). */
  jitter?: Jitter;
  /** Uniform [0, 1); tests pass a fixed sequence. */
  random?: () => number;
}

export interface Backoff {
  /** The delay before the next attempt; each call counts one more failed attempt. */
  next(): number;
  /**
   * The delay for an error that retrying soon cannot fix (version mismatch, authentication
   * refused): maxMs with jitter, and the sequence stays at its maximum.
   */
  atMax(): number;
  /** Back to minMs for the next failure (after a stable connection). */
  reset(): void;
  /** Failed attempts counted since the last reset. */
  readonly attempts: number;
}

export function createBackoff(opts: BackoffOptions): Backoff {
  const min = Math.max(0, opts.minMs);
  const max = Math.max(min, opts.maxMs);
  const multiplier = opts.multiplier ?? 2;
  const jitter = opts.jitter ?? "equal";
  const random = opts.random ?? Math.random;
  let attempts = 0;
  const jittered = (d: number) => {
    const r = random();
    const v = jitter === "full" ? d * r : d / 2 + d * r;
    return Math.min(max, Math.round(v));
  };
  // The base grows as min·multiplier^attempts; computed stepwise so a long outage cannot
  // overflow to Infinity.
  let base = min;
  return {
    next() {
      const delay = jittered(base);
      attempts++;
      base = Math.min(max, Math.max(base * multiplier, 1));
      return delay;
    },
    atMax() {
      attempts++;
      base = max;
      return jittered(max);
    },
    reset() {
      attempts = 0;
      base = min;
    },
    get attempts() {
      return attempts;
    },
  };
}
