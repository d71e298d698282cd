// The pure-JS entry: the package root also loads the native cbor-extract add-on, which
// mis-decodes non-ASCII strings under Bun (and can abort the process); it would not be inside
// a compiled binary either.
import { Encoder } from "cbor-x/encode";
import { fromArray, toArray } from "../codec.ts";
import { ProtocolViolation } from "../errors.ts";
import type { Message } from "../messages.ts";
import type { Serializer } from "../serializer.ts";
import { decodeCborFast, FALLBACK } from "./_cbor_decode.ts";
import { encodeCborFast, FALLBACK as ENCODE_FALLBACK } from "./_cbor_encode.ts";
import { containsAny, narrow, toWire } from "./_wire_values.ts";

/**
 * wamp.2.cbor with cbor-x. The options give plain CBOR that other WAMP peers read: no record
 * extension, maps as objects, byte strings without a typed-array tag, minimal map headers.
 * Together with widening wide integers to bigint (cbor-x writes plain numbers beyond 32 bits
 * as float64, see _wire_values.ts) this re-encodes the spec's test vectors byte for byte.
 *
 * Decoded byte arrays may share the input buffer: a transport must not reuse a frame's buffer
 * after handing it to decode.
 */

const cbor = new Encoder({
  useRecords: false,
  mapsAsObjects: true,
  tagUint8Array: false,
  variableMapSize: true,
});

// cbor-x writes integers up to uint32 and down to -2^32 natively.
const MIN_NATIVE = -0x1_0000_0000;
const MAX_NATIVE = 0xffff_ffff;

export const cborSerializer: Serializer = {
  name: "cbor",
  subprotocol: "wamp.2.cbor",
  rawsocketId: 3,
  binary: true,
  encode(msg: Message): Uint8Array {
    // Common values encode in one pass; cbor-x (after toWire) writes everything else.
    const arr = toArray(msg);
    const out = encodeCborFast(arr);
    return out !== ENCODE_FALLBACK ? out : cbor.encode(toWire(arr, MIN_NATIVE, MAX_NATIVE));
  },
  decode(data: Uint8Array | string): Message {
    if (typeof data === "string") throw new ProtocolViolation("CBOR messages must be binary");
    // The common shapes decode fast; cbor-x decides everything else (_cbor_decode.ts).
    let value = decodeCborFast(data);
    if (value === FALLBACK) {
      try {
        value = cbor.decode(data);
        // cbor-x returns bigint for 64-bit integers (heads 0x1b/0x3b) and bignums (tags 0xc2/0xc3).
        if (containsAny(data, 0x1b, 0x3b, 0xc2, 0xc3)) value = narrow(value);
      } catch (err) {
        if (err instanceof ProtocolViolation) throw err;
        throw new ProtocolViolation(`invalid CBOR message: ${(err as Error).message}`);
      }
    }
    return fromArray(value);
  },
};
