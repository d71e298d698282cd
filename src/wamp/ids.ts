/**
 * WAMP IDs (spec "IDs"): integers in [1, 2^53]. 2^53 is the largest integer such that it and
 * every smaller positive integer is exact in an IEEE-754 double, so IDs stay plain numbers.
 */
export const MAX_ID = 2 ** 53;

// Reused scratch buffer: globalId() runs once per session and per publication, so it should
// not allocate.
const scratch = new Uint32Array(2);
const HIGH_BITS = 2 ** 21; // 21 high bits + 32 low bits = 53 bits

/**
 * A global-scope ID (sessions, publications): drawn uniformly at random from [1, 2^53], as the
 * spec requires, so IDs cannot be guessed from one another.
 */
export function globalId(): number {
  crypto.getRandomValues(scratch);
  // (high mod 2^21) * 2^32 + low is uniform over [0, 2^53 - 1]; +1 shifts it to [1, 2^53].
  return (scratch[0] % HIGH_BITS) * 0x1_0000_0000 + scratch[1] + 1;
}

/** Returns the next ID of a sequence on each call. */
export type IdSequence = () => number;

export interface IdSequenceOptions {
  /** First ID returned (default 1). Tests use it to reach the wrap-around quickly. */
  start?: number;
}

/**
 * A sequential ID generator: 1, 2, 3, … and back to 1 after 2^53. The spec demands exactly
 * this for session-scope IDs (requests); the router uses it for router-scope IDs too
 * (subscriptions, registrations), where any scheme is allowed and sequential is cheapest.
 */
export function createIdSequence(options: IdSequenceOptions = {}): IdSequence {
  const start = options.start ?? 1;
  if (!Number.isInteger(start) || start < 1 || start > MAX_ID) {
    throw new RangeError(`createIdSequence: start must be an integer in [1, 2^53], got ${start}`);
  }
  let next = start;
  return () => {
    const id = next;
    next = id === MAX_ID ? 1 : id + 1;
    return id;
  };
}
