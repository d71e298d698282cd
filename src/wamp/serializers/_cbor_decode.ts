import { readFloat32BE, readFloat64BE } from "./_floats.ts";
import { utf8Slice } from "./_utf8.ts";

/**
 * A fast CBOR decoder for the shapes WAMP messages take: definite-length arrays, maps with
 * text keys, integers (64-bit ones narrowed to numbers within ±2^53), text and byte strings,
 * float32/float64, false/true/null/undefined.
 *
 * Why: cbor-x decodes text shorter than 64 bytes in JavaScript one code unit at a time, which
 * was ~25% of a CBOR router's CPU (bench/OPTIMISATIONS.md), and its native string extractor
 * is not reachable through its package exports. Strings here go through _utf8.ts.
 *
 * Anything else — indefinite lengths, tags (bignums, dates, typed arrays …), half floats, other
 * simple values, non-text or "__proto__" keys, integers beyond ±2^53, truncated or trailing
 * input — returns FALLBACK, and the caller decodes the message again with cbor-x. Results and
 * errors for unusual input therefore stay exactly those of cbor-x; only the common case is
 * faster. Byte strings are views into the input, as with cbor-x.
 */

export const FALLBACK: unique symbol = Symbol("cbor fallback");

/** Thrown inside the decoder to abandon the fast path; never escapes. */
const fallback = { fallback: true };

const EMPTY: Uint8Array = new Uint8Array(0);
let src: Uint8Array = EMPTY;
let pos = 0;

/** Decodes `bytes`, or returns FALLBACK when cbor-x must decide. Not re-entrant. */
export function decodeCborFast(bytes: Uint8Array): unknown {
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
const MAX_EXACT = 2 ** 53;
const HI_OF_MAX = 2 ** 21; // high 32 bits of 2^53

/** The argument of a head whose additional info is `info` (0..27). */
function argument(info: number): number {
  if (info < 24) return info;
  const p = pos;
  switch (info) {
    case 24:
      if (p + 1 > src.length) throw fallback;
      pos = p + 1;
      return src[p];
    case 25:
      if (p + 2 > src.length) throw fallback;
      pos = p + 2;
      return (src[p] << 8) | src[p + 1];
    case 26:
      if (p + 4 > src.length) throw fallback;
      pos = p + 4;
      return ((src[p] << 24) >>> 0) + ((src[p + 1] << 16) | (src[p + 2] << 8) | src[p + 3]);
    case 27: {
      if (p + 8 > src.length) throw fallback;
      const hi = ((src[p] << 24) >>> 0) + ((src[p + 1] << 16) | (src[p + 2] << 8) | src[p + 3]);
      const lo = ((src[p + 4] << 24) >>> 0) + ((src[p + 5] << 16) | (src[p + 6] << 8) | src[p + 7]);
      // Beyond 2^53 (checked on the halves: the sum would round): cbor-x + narrow decide,
      // which is a protocol violation.
      if (hi > HI_OF_MAX || (hi === HI_OF_MAX && lo > 0)) throw fallback;
      pos = p + 8;
      return hi * TWO_32 + lo;
    }
    default:
      throw fallback; // 28..30 reserved, 31 indefinite length
  }
}

function read(): unknown {
  if (pos >= src.length) throw fallback;
  const head = src[pos++];
  const major = head >> 5;
  const info = head & 31;
  switch (major) {
    case 0:
      return argument(info);
    case 1: {
      const v = argument(info);
      if (v >= MAX_EXACT) throw fallback;
      return -1 - v;
    }
    case 2: {
      const n = argument(info);
      if (n > src.length - pos) throw fallback;
      return src.subarray(pos, (pos += n));
    }
    case 3: {
      const n = argument(info);
      if (n > src.length - pos) throw fallback;
      const start = pos;
      pos += n;
      return utf8Slice(src, start, pos);
    }
    case 4: {
      const n = argument(info);
      if (n > src.length - pos) throw fallback; // every item takes at least one byte
      const arr = new Array(n);
      for (let i = 0; i < n; i++) arr[i] = read();
      return arr;
    }
    case 5: {
      const n = argument(info);
      if (n > src.length - pos) throw fallback;
      const obj: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const key = read();
        if (typeof key !== "string" || key === "__proto__") throw fallback;
        obj[key] = read();
      }
      return obj;
    }
    case 7:
      switch (info) {
        case 20: return false;
        case 21: return true;
        case 22: return null;
        case 23: return undefined;
        case 26: {
          if (pos + 4 > src.length) throw fallback;
          const v = readFloat32BE(src, pos);
          pos += 4;
          return v;
        }
        case 27: {
          if (pos + 8 > src.length) throw fallback;
          const v = readFloat64BE(src, pos);
          pos += 8;
          return v;
        }
      }
      throw fallback;
    default:
      throw fallback; // 6: tags
  }
}
