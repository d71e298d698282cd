import { writeAscii } from "./_ascii.ts";
import { writeFloat64BE } from "./_floats.ts";

/**
 * A fast CBOR encoder for the values WAMP messages hold, writing the same bytes as cbor-x with
 * our options after `toWire` (_wire_values.ts): minimal heads, integers beyond 32 bits as
 * 64-bit integers (never float64), other numbers as float64, undefined dict values dropped and
 * undefined list items as null, Uint8Array as a byte string, plain objects as maps.
 *
 * Why: `toWire` walks (and copies where it widens) every outgoing message before cbor-x walks
 * it again; together ~15% of a CBOR router's CPU (bench/OPTIMISATIONS.md). Here the widening
 * happens where a number is written, in one pass.
 *
 * Anything else — NaN/±Infinity/-0, integers beyond 64 bits, bigints, other typed arrays,
 * Dates, Maps, class instances — returns FALLBACK and the caller uses toWire + cbor-x, so their
 * encoding is exactly as before. test/wamp/serializers/cbor_fast_encode.test.ts compares the
 * two encoders' bytes. Not re-entrant.
 */

export const FALLBACK: unique symbol = Symbol("cbor encode fallback");
const fallback = { fallback: true };

const INITIAL = 8192;
let buf = new Uint8Array(INITIAL);
let pos = 0;
const te = new TextEncoder();
const TWO_32 = 2 ** 32;
const TWO_64 = 2 ** 64;
const MAX_EXACT = 2 ** 53;

export function encodeCborFast(value: unknown): Uint8Array | typeof FALLBACK {
  pos = 0;
  try {
    write(value);
  } catch (err) {
    if (err === fallback) return FALLBACK;
    throw err;
  }
  const out = buf.slice(0, pos);
  if (buf.length > 1 << 20) buf = new Uint8Array(INITIAL); // do not keep a huge scratch buffer
  return out;
}

function ensure(n: number): void {
  if (pos + n <= buf.length) return;
  const next = new Uint8Array(Math.max(buf.length * 2, pos + n));
  next.set(buf.subarray(0, pos));
  buf = next;
}

/** Head with a minimal argument; `n` is a non-negative integer below 2^64. */
function head(major: number, n: number): void {
  ensure(9);
  const m = major << 5;
  if (n < 24) {
    buf[pos++] = m | n;
  } else if (n < 0x100) {
    buf[pos++] = m | 24;
    buf[pos++] = n;
  } else if (n < 0x10000) {
    buf[pos++] = m | 25;
    buf[pos++] = n >> 8;
    buf[pos++] = n & 0xff;
  } else if (n < TWO_32) {
    buf[pos++] = m | 26;
    u32(n);
  } else {
    buf[pos++] = m | 27;
    const hi = Math.floor(n / TWO_32);
    u32(hi);
    u32(n - hi * TWO_32);
  }
}

function u32(n: number): void {
  buf[pos++] = n >>> 24;
  buf[pos++] = (n >>> 16) & 0xff;
  buf[pos++] = (n >>> 8) & 0xff;
  buf[pos++] = n & 0xff;
}

function number(v: number): void {
  if (Number.isInteger(v) && !Object.is(v, -0)) {
    if (v >= 0) {
      if (v >= TWO_64) throw fallback;
      head(0, v);
    } else {
      // Below -2^53, -1 - v would round; cbor-x writes the exact value from a bigint.
      if (v < -MAX_EXACT) throw fallback;
      head(1, -1 - v);
    }
    return;
  }
  if (!Number.isFinite(v) || Object.is(v, -0)) throw fallback;
  ensure(9);
  buf[pos++] = 0xfb;
  writeFloat64BE(buf, pos, v);
  pos += 8;
}

function string(s: string): void {
  const n = s.length;
  if (n < 256) {
    // ASCII: as many bytes as characters, written directly.
    ensure(n + 2);
    const start = pos;
    head(3, n);
    const end = writeAscii(buf, pos, s);
    if (end < 0) {
      pos = start;
      return utf8String(s);
    }
    pos = end;
    return;
  }
  utf8String(s);
}

function utf8String(s: string): void {
  // cbor-x writes a lone surrogate as its 3-byte WTF-8 form in short strings, TextEncoder as
  // U+FFFD: leave such strings to cbor-x.
  if (!s.isWellFormed()) throw fallback;
  const bytes = te.encode(s);
  head(3, bytes.length);
  ensure(bytes.length);
  buf.set(bytes, pos);
  pos += bytes.length;
}

function write(v: unknown): void {
  switch (typeof v) {
    case "number":
      return number(v);
    case "string":
      return string(v);
    case "boolean":
      ensure(1);
      buf[pos++] = v ? 0xf5 : 0xf4;
      return;
    case "undefined": // a list item (dict values are skipped): null, as in JSON
      ensure(1);
      buf[pos++] = 0xf6;
      return;
    case "object": {
      if (v === null) {
        ensure(1);
        buf[pos++] = 0xf6;
        return;
      }
      if (Array.isArray(v)) {
        head(4, v.length);
        for (let i = 0; i < v.length; i++) write(v[i]);
        return;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto === Object.prototype || proto === null) return map(v as Record<string, unknown>);
      if (proto === Uint8Array.prototype) {
        const b = v as Uint8Array;
        head(2, b.length);
        ensure(b.length);
        buf.set(b, pos);
        pos += b.length;
        return;
      }
      throw fallback;
    }
    default:
      throw fallback; // bigint, function, symbol
  }
}

function map(obj: Record<string, unknown>): void {
  let count = 0;
  for (const k in obj) if (obj[k] !== undefined) count++;
  head(5, count);
  for (const k in obj) {
    const v = obj[k];
    if (v === undefined) continue;
    string(k);
    write(v);
  }
}
