import { writeAscii } from "./_ascii.ts";
import { writeFloat64BE } from "./_floats.ts";

/**
 * A fast MessagePack encoder for the values WAMP messages hold, writing the same bytes as our
 * configured @msgpack/msgpack encoder (msgpack.ts): smallest int formats, integers beyond
 * int32/uint32 as int64/uint64, other numbers as float64, nil for null/undefined list items,
 * undefined dict values dropped, Uint8Array as bin, plain objects as maps in key order.
 *
 * Why: the library's general encoder (a method call per value through doEncode/encodeObject,
 * an extension-codec probe per object, a UTF-8 length pass before every string) was ~12% of a
 * MessagePack router's CPU (bench/OPTIMISATIONS.md); one recursive pass into a reused buffer
 * does the same work.
 *
 * Anything else — bigints, integers below -2^53 (down to -2^63), lone surrogates, other typed
 * arrays, Dates (the timestamp extension), Maps, class instances, functions, nesting deeper than
 * the library's 100 levels — returns FALLBACK and the caller uses the library, so their
 * encoding (or error) is exactly as before. test/wamp/serializers/msgpack_fast_encode.test.ts
 * compares the bytes. Not re-entrant.
 */

export const FALLBACK: unique symbol = Symbol("msgpack encode fallback");
const fallback = { fallback: true };

const INITIAL = 8192;
const MAX_DEPTH = 100; // @msgpack/msgpack's default maxDepth
let buf = new Uint8Array(INITIAL);
let pos = 0;
const te = new TextEncoder();
const TWO_32 = 2 ** 32;
const TWO_64 = 2 ** 64;
const MAX_EXACT = 2 ** 53;

export function encodeMsgpackFast(value: unknown): Uint8Array | typeof FALLBACK {
  pos = 0;
  try {
    write(value, 0);
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

function u16(n: number): void {
  buf[pos++] = n >>> 8;
  buf[pos++] = n & 0xff;
}

function u32(n: number): void {
  buf[pos++] = n >>> 24;
  buf[pos++] = (n >>> 16) & 0xff;
  buf[pos++] = (n >>> 8) & 0xff;
  buf[pos++] = n & 0xff;
}

/** A container or string/bin header: `fix` form below `fixLimit`, else the 8/16/32-bit forms. */
function header(n: number, fix: number, fixLimit: number, h8: number, h16: number, h32: number): void {
  ensure(5);
  if (n < fixLimit) buf[pos++] = fix | n;
  else if (n < 0x100 && h8 !== 0) {
    buf[pos++] = h8;
    buf[pos++] = n;
  } else if (n < 0x10000) {
    buf[pos++] = h16;
    u16(n);
  } else if (n < TWO_32) {
    buf[pos++] = h32;
    u32(n);
  } else {
    throw fallback;
  }
}

function float64(v: number): void {
  ensure(9);
  buf[pos++] = 0xcb;
  writeFloat64BE(buf, pos, v);
  pos += 8;
}

function number(v: number): void {
  if (!Number.isInteger(v)) return float64(v); // also NaN and ±Infinity
  ensure(9);
  if (v >= 0) { // -0 included, as in the library: written as 0
    if (v < 0x80) buf[pos++] = v;
    else if (v < 0x100) {
      buf[pos++] = 0xcc;
      buf[pos++] = v;
    } else if (v < 0x10000) {
      buf[pos++] = 0xcd;
      u16(v);
    } else if (v < TWO_32) {
      buf[pos++] = 0xce;
      u32(v);
    } else if (v < TWO_64) {
      buf[pos++] = 0xcf;
      const hi = Math.floor(v / TWO_32);
      u32(hi);
      u32(v - hi * TWO_32);
    } else {
      float64(v);
    }
    return;
  }
  if (v >= -0x20) buf[pos++] = 0xe0 | (v + 0x20);
  else if (v >= -0x80) {
    buf[pos++] = 0xd0;
    buf[pos++] = v & 0xff;
  } else if (v >= -0x8000) {
    buf[pos++] = 0xd1;
    u16(v & 0xffff);
  } else if (v >= -0x8000_0000) {
    buf[pos++] = 0xd2;
    u32(v >>> 0);
  } else if (v >= -MAX_EXACT) {
    buf[pos++] = 0xd3;
    const hi = Math.floor(v / TWO_32); // negative; lo in [0, 2^32)
    u32(hi >>> 0);
    u32(v - hi * TWO_32);
  } else if (v >= -TWO_64 / 2) {
    throw fallback; // exact only through the library's bigint path
  } else {
    float64(v);
  }
}

function string(s: string): void {
  const n = s.length;
  if (n < 256) {
    // ASCII: as many bytes as characters, written directly.
    const start = pos;
    header(n, 0xa0, 32, 0xd9, 0xda, 0xdb);
    ensure(n);
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
  // The library's JS encoder (short strings) writes a lone surrogate differently from
  // TextEncoder's U+FFFD: leave such strings to it.
  if (!s.isWellFormed()) throw fallback;
  const bytes = te.encode(s);
  header(bytes.length, 0xa0, 32, 0xd9, 0xda, 0xdb);
  ensure(bytes.length);
  buf.set(bytes, pos);
  pos += bytes.length;
}

function write(v: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw fallback;
  switch (typeof v) {
    case "number":
      return number(v);
    case "string":
      return string(v);
    case "boolean":
      ensure(1);
      buf[pos++] = v ? 0xc3 : 0xc2;
      return;
    case "undefined":
      ensure(1);
      buf[pos++] = 0xc0;
      return;
    case "object": {
      if (v === null) {
        ensure(1);
        buf[pos++] = 0xc0;
        return;
      }
      if (Array.isArray(v)) {
        header(v.length, 0x90, 16, 0, 0xdc, 0xdd);
        for (let i = 0; i < v.length; i++) write(v[i], depth + 1);
        return;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto === Object.prototype || proto === null) return map(v as Record<string, unknown>, depth);
      if (proto === Uint8Array.prototype) {
        const b = v as Uint8Array;
        header(b.length, 0, 0, 0xc4, 0xc5, 0xc6);
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

function map(obj: Record<string, unknown>, depth: number): void {
  const keys = Object.keys(obj);
  let count = 0;
  for (let i = 0; i < keys.length; i++) if (obj[keys[i]] !== undefined) count++;
  header(count, 0x80, 16, 0, 0xde, 0xdf);
  for (let i = 0; i < keys.length; i++) {
    const v = obj[keys[i]];
    if (v === undefined) continue;
    string(keys[i]);
    write(v, depth + 1);
  }
}
