import type { Clock } from "../util/clock.ts";

/** Limits that protect the node from too many or too chatty clients (issue 5). */
export interface SessionLimits {
  /** Joined client sessions at most (internal ones do not count); 0 = unlimited. */
  maxSessions?: number;
  /** A connection that has not sent HELLO after this many ms is closed; 0 = never. */
  helloTimeoutMs?: number;
  /** Requests (CALL, PUBLISH, SUBSCRIBE, …) per second per session; 0 = unlimited. */
  requestsPerSecond?: number;
  /** Requests a session may send at once before the rate applies; default = requestsPerSecond. */
  requestBurst?: number;
}

export const LimitErrors = {
  TOO_MANY_SESSIONS: "causeway.error.too_many_sessions",
  RATE_LIMITED: "causeway.error.rate_limited",
  HELLO_TIMEOUT: "causeway.close.hello_timeout",
} as const;

/**
 * A token bucket on the router's clock: `rate` tokens per second, at most `burst` saved up.
 * `take()` is O(1) and allocation-free (per-message path).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly rate: number, private readonly burst: number, private readonly clock: Clock) {
    this.tokens = burst;
    this.last = clock.now();
  }

  take(): boolean {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
      this.last = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The bucket for a new session, or undefined when rate limiting is off. */
export function sessionBucket(limits: SessionLimits | undefined, clock: Clock): TokenBucket | undefined {
  const rate = limits?.requestsPerSecond ?? 0;
  if (rate <= 0) return undefined;
  return new TokenBucket(rate, Math.max(1, limits?.requestBurst || rate), clock);
}
