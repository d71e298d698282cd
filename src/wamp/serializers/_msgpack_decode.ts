import { readFloat32BE, readFloat64BE } from "./_floats.ts";
import { utf8Slice } from "./_utf8.ts";

/**
 * A fast MessagePack decoder for the shapes WAMP messages take: nil, booleans, integers
 * (64-bit ones narrowed to numbers within ±2^53), float32/64, str (native UTF-8, _utf8.ts),
 * bin (a view into the input, as with @msgpack/msgpack), arrays, and maps with string keys.
 *
 * Why: @msgpack/msgpack's general state-machine decoder (a state object per container, a
 * DataView per message) was ~12% of a MessagePack router's CPU after its strings were made
 * native (bench/OPTIMISATIONS.md); a recursive reader for complete messages needs neither.
 *
 * Anything else — extension types (e.g. wampy's `undefined`), non-string or "__proto__" keys,
 * integers beyond ±2^53, the unused 0xc1 byte, truncated or trailing input — returns FALLBACK
 * and the caller decodes with @msgpack/msgpack, so unusual input decodes or fails exactly as
 * before. Not re-entrant.
 */

export const FALLBACK: unique symbol = Symbol("msgpack fallback");

/** Thrown inside the decoder to abandon the fast path; never escapes. */
const fallback = { fallback: true };

const EMPTY: Uint8Array = new Uint8Array(0);
let src: Uint8Array = EMPTY;
let pos = 0;

export function decodeMsgpackFast(bytes: Uint8Array): unknown {
  src = bytes;
  pos = 0;
  try {
    const value = read();
    return pos === src.length ? value : FALLBACK;
  } catch (err) {
    if (err === fallback) return FALLBACK;
    throw err;
  } finally {
    src = EMPTY;
  }
}

const TWO_32 = 2 ** 32;
const HI_OF_MAX = 2 ** 21; // high 32 bits of 2^53

function need(n: number): number {
  const p = pos;
  if (p + n > src.length) throw fallback;
  pos = p + n;
  return p;
}

function u16(): number {
  const p = need(2);
  return (src[p] << 8) | src[p + 1];
}

function u32(): number {
  const p = need(4);
  return ((src[p] << 24) >>> 0) + ((src[p + 1] << 16) | (src[p + 2] << 8) | src[p + 3]);
}

function str(n: number): string {
  const p = need(n);
  return utf8Slice(src, p, p + n);
}

function arr(n: number): unknown[] {
  if (n > src.length - pos) throw fallback; // every item takes at least one byte
  const a = new Array(n);
  for (let i = 0; i < n; i++) a[i] = read();
  return a;
}

function map(n: number): Record<string, unknown> {
  if (n > src.length - pos) throw fallback;
  const obj: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const key = read();
    if (typeof key !== "string" || key === "__proto__") throw fallback;
    obj[key] = read();
  }
  return obj;
}

function read(): unknown {
  if (pos >= src.length) throw fallback;
  const b = src[pos++];
  if (b < 0x80) return b;
  if (b < 0x90) return map(b & 0x0f);
  if (b < 0xa0) return arr(b & 0x0f);
  if (b < 0xc0) return str(b & 0x1f);
  if (b >= 0xe0) return b - 0x100;
  switch (b) {
    case 0xc0: return null;
    case 0xc2: return false;
    case 0xc3: return true;
    case 0xc4: {
      const n = src[need(1)];
      const p = need(n);
      return src.subarray(p, p + n);
    }
    case 0xc5: {
      const n = u16();
      const p = need(n);
      return src.subarray(p, p + n);
    }
    case 0xc6: {
      const n = u32();
      const p = need(n);
      return src.subarray(p, p + n);
    }
    case 0xca: return readFloat32BE(src, need(4));
    case 0xcb: return readFloat64BE(src, need(8));
    case 0xcc: return src[need(1)];
    case 0xcd: return u16();
    case 0xce: return u32();
    case 0xcf: {
      const hi = u32();
      const lo = u32();
      // Beyond 2^53 (checked on the halves: the sum would round): the library + narrow decide.
      if (hi > HI_OF_MAX || (hi === HI_OF_MAX && lo > 0)) throw fallback;
      return hi * TWO_32 + lo;
    }
    case 0xd0: return (src[need(1)] << 24) >> 24;
    case 0xd1: return (u16() << 16) >> 16;
    case 0xd2: return u32() | 0;
    case 0xd3: {
      const hi = u32() | 0;
      const lo = u32();
      // Within [-2^53, 2^53]: hi in [-2^21, 2^21], and at the ends only lo = 0.
      if (hi > HI_OF_MAX || hi < -HI_OF_MAX || (hi === HI_OF_MAX && lo > 0)) throw fallback;
      return hi * TWO_32 + lo;
    }
    case 0xd9: return str(src[need(1)]);
    case 0xda: return str(u16());
    case 0xdb: return str(u32());
    case 0xdc: return arr(u16());
    case 0xdd: return arr(u32());
    case 0xde: return map(u16());
    case 0xdf: return map(u32());
    default: throw fallback; // 0xc1 (never used), extensions
  }
}
