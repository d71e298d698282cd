import { ProtocolViolation } from "../errors.ts";

/**
 * Value preparation for the binary serializers.
 *
 * 64-bit integers. WAMP IDs reach 2^53 and applications send integers (millisecond
 * timestamps) above 2^32. Peers in typed languages reject a float where they expect an
 * integer, so both must go out as uint64/int64. Neither library does that for plain numbers:
 * cbor-x writes every integer beyond 32 bits as float64, and @msgpack/msgpack writes 2^53 (not
 * a "safe" integer) as float64, and with `useBigInt64` (needed to read 64-bit values exactly)
 * even 2^32..2^53. Both write a bigint as a 64-bit integer, so `toWire` turns the wide
 * integers into bigints before encoding, and `narrow` turns decoded bigints back into numbers.
 *
 * undefined. JSON drops a key whose value is undefined and writes null in a list; the binary
 * libraries would write nil (MessagePack) or CBOR's `undefined`, which Python peers reject
 * where they expect a string (e.g. an unset WELCOME.Details.authprovider). `toWire` makes
 * them behave like JSON.
 */

const TWO_64 = 2 ** 64;
const MAX_EXACT = 2n ** 53n;

/**
 * Returns `value` ready for a binary encoder: integer-valued numbers outside [min, max] (and
 * within 64 bits) become bigints, undefined dict values are dropped, undefined list items
 * become null. Copy-on-write: containers are copied only where something changed, because
 * args and details are often shared with other messages.
 */
export function toWire(value: unknown, min: number, max: number): unknown {
  if (typeof value === "number") {
    return (value > max || value < min) && Math.floor(value) === value && value < TWO_64 &&
        value >= -TWO_64 / 2
      ? BigInt(value)
      : value;
  }
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const w = v === undefined ? null : toWire(v, min, max);
      if (w !== v) (copy ??= value.slice())[i] = w;
    }
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // bytes, dates, …
  const obj = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const k in obj) {
    const v = obj[k];
    if (v === undefined) {
      delete (copy ??= { ...obj })[k];
      continue;
    }
    const w = toWire(v, min, max);
    if (w !== v) (copy ??= { ...obj })[k] = w;
  }
  return copy ?? value;
}

/**
 * Replaces, in place, every bigint in a freshly decoded value by a number. A value beyond
 * ±2^53 cannot be a WAMP ID nor be represented exactly in JavaScript: protocol violation.
 */
export function narrow(value: unknown): unknown {
  if (typeof value === "bigint") {
    if (value > MAX_EXACT || value < -MAX_EXACT) {
      throw new ProtocolViolation(`integer ${value} is out of range (WAMP allows at most 2^53)`);
    }
    return Number(value);
  }
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v === "bigint" || (typeof v === "object" && v !== null)) value[i] = narrow(v);
    }
    return value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const obj = value as Record<string, unknown>;
  for (const k in obj) {
    const v = obj[k];
    if (typeof v === "bigint" || (typeof v === "object" && v !== null)) obj[k] = narrow(v);
  }
  return value;
}

/** True when any of the given byte values occurs in `bytes` (a cheap "might hold a bigint"). */
export function containsAny(bytes: Uint8Array, a: number, b: number, c = -1, d = -1): boolean {
  return bytes.indexOf(a) >= 0 || bytes.indexOf(b) >= 0 || (c >= 0 && bytes.indexOf(c) >= 0) ||
    (d >= 0 && bytes.indexOf(d) >= 0);
}
