import { Decoder, Encoder, ExtensionCodec } from "@msgpack/msgpack";
import { fromArray, toArray } from "../codec.ts";
import { ProtocolViolation } from "../errors.ts";
import type { Message } from "../messages.ts";
import type { Serializer } from "../serializer.ts";
import { containsAny, narrow, toWire } from "./_wire_values.ts";

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

const encoder = new Encoder({ extensionCodec: extensions, useBigInt64: true });
const decoder = new Decoder({ extensionCodec: extensions, useBigInt64: true });

// With useBigInt64 the encoder writes numbers beyond int32/uint32 as float64: widen those.
const MIN_NATIVE = -0x8000_0000;
const MAX_NATIVE = 0xffff_ffff;

export const msgpackSerializer: Serializer = {
  name: "msgpack",
  subprotocol: "wamp.2.msgpack",
  rawsocketId: 2,
  binary: true,
  encode(msg: Message): Uint8Array {
    return encoder.encode(toWire(toArray(msg), MIN_NATIVE, MAX_NATIVE));
  },
  decode(data: Uint8Array | string): Message {
    if (typeof data === "string") throw new ProtocolViolation("MessagePack messages must be binary");
    let value: unknown;
    try {
      value = decoder.decode(data);
      // 0xcf/0xd3 head a uint64/int64; without either byte no bigint can have been decoded.
      if (containsAny(data, 0xcf, 0xd3)) value = narrow(value);
    } catch (err) {
      if (err instanceof ProtocolViolation) throw err;
      throw new ProtocolViolation(`invalid MessagePack message: ${(err as Error).message}`);
    }
    return fromArray(value);
  },
};
