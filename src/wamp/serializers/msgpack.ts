import { Decoder, Encoder, ExtensionCodec } from "@msgpack/msgpack";
import { fromArray, toArray } from "../codec.ts";
import { ProtocolViolation } from "../errors.ts";
import type { Message } from "../messages.ts";
import type { Serializer } from "../serializer.ts";
import { decodeMsgpackFast, FALLBACK } from "./_msgpack_decode.ts";
import { encodeMsgpackFast, FALLBACK as ENCODE_FALLBACK } from "./_msgpack_encode.ts";
import { utf8Slice } from "./_utf8.ts";
import { containsAny, narrow } from "./_wire_values.ts";

/**
 * wamp.2.msgpack with @msgpack/msgpack (strict MessagePack 5: str and bin are distinct).
 *
 * Integers and undefined: see _wire_values.ts. Encoding widens integers beyond 32 bits to
 * bigint so they go out as uint64/int64, never float64, and drops undefined dict values as JSON
 * does; decoding reads uint64/int64 as bigint and narrows them back to numbers, rejecting
 * anything beyond 2^53.
 *
 * Decoded byte arrays are views into the input buffer (no copy): a transport must not reuse
 * a frame's buffer after handing it to decode.
 */

const extensions = new ExtensionCodec();
// wampy (msgpackr) sends `undefined` as fixext1 type 0; read it back as undefined. Encoding
// never needs it: @msgpack/msgpack writes undefined as nil before consulting extensions.
extensions.register({ type: 0, encode: () => null, decode: () => undefined });

// ignoreUndefined drops undefined dict values as JSON does (an undefined list item is written
// as nil, JSON's null, by the library already).
const encoder = new Encoder({ extensionCodec: extensions, useBigInt64: true, ignoreUndefined: true });
const decoder = new Decoder({ extensionCodec: extensions, useBigInt64: true });

// With useBigInt64 the encoder writes numbers beyond int32/uint32 as float64: those that are
// integers within 64 bits must go out as int64/uint64 instead (_wire_values.ts explains why).
const MIN_NATIVE = -0x8000_0000;
const MAX_NATIVE = 0xffff_ffff;
const TWO_64 = 2 ** 64;

/**
 * Two per-instance method replacements on the pinned @msgpack/msgpack 3.1.3 (package.json pins
 * it; test/wamp/serializers/msgpack.test.ts and the spec's test vectors check the bytes):
 *
 * - `encodeNumber` widens a wide integer to bigint at the one place a number is written, instead
 *   of walking and copying every message beforehand (toWire): the walk cost ~5% of a MessagePack
 *   router's CPU and allocated copies of every dict holding a wide ID. The bytes are the same.
 * - `decodeUtf8String` decodes non-key strings natively (_utf8.ts); dict keys keep the library's
 *   key cache. Strings running past the end go to the original, which reports the truncation.
 */
interface EncoderInternals {
  encodeNumber(n: number): void;
  encodeBigInt64(n: bigint): void;
}
interface DecoderInternals {
  bytes: Uint8Array;
  pos: number;
  stateIsMapKey(): boolean;
  decodeUtf8String(byteLength: number, headerOffset: number): string;
}
{
  const enc = encoder as unknown as EncoderInternals;
  const encodeNumber = enc.encodeNumber;
  enc.encodeNumber = function (this: EncoderInternals, n: number) {
    if ((n > MAX_NATIVE || n < MIN_NATIVE) && n < TWO_64 && n >= -TWO_64 / 2 && Math.floor(n) === n) {
      this.encodeBigInt64(BigInt(n));
    } else {
      encodeNumber.call(this, n);
    }
  };
  const dec = decoder as unknown as DecoderInternals;
  const decodeUtf8String = dec.decodeUtf8String;
  dec.decodeUtf8String = function (this: DecoderInternals, byteLength: number, headerOffset: number) {
    const start = this.pos + headerOffset;
    const end = start + byteLength;
    if (end > this.bytes.byteLength || this.stateIsMapKey()) {
      return decodeUtf8String.call(this, byteLength, headerOffset);
    }
    this.pos = end;
    return utf8Slice(this.bytes, start, end);
  };
}

/** The library path on its own: the bytes the fast encoder must reproduce (its tests compare). */
export function encodeWithLibrary(value: unknown): Uint8Array {
  return encoder.encode(value);
}

export const msgpackSerializer: Serializer = {
  name: "msgpack",
  subprotocol: "wamp.2.msgpack",
  rawsocketId: 2,
  binary: true,
  encode(msg: Message): Uint8Array {
    // Common values encode in one pass; the library writes everything else (_msgpack_encode.ts).
    const arr = toArray(msg);
    const out = encodeMsgpackFast(arr);
    return out !== ENCODE_FALLBACK ? out : encoder.encode(arr);
  },
  decode(data: Uint8Array | string): Message {
    if (typeof data === "string") throw new ProtocolViolation("MessagePack messages must be binary");
    // The common shapes decode fast; the library decides everything else (_msgpack_decode.ts).
    let value = decodeMsgpackFast(data);
    if (value === FALLBACK) {
      try {
        value = decoder.decode(data);
        // 0xcf/0xd3 head a uint64/int64; without either byte no bigint can have been decoded.
        if (containsAny(data, 0xcf, 0xd3)) value = narrow(value);
      } catch (err) {
        if (err instanceof ProtocolViolation) throw err;
        throw new ProtocolViolation(`invalid MessagePack message: ${(err as Error).message}`);
      }
    }
    return fromArray(value);
  },
};
