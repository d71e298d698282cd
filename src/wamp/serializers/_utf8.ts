import { Buffer } from "node:buffer";

/**
 * UTF-8 bytes → string for the binary serializers' decoders. The libraries decode strings
 * shorter than a few hundred bytes in JavaScript, one code unit at a time; under Bun that was
 * the largest single cost of a MessagePack or CBOR router (a quarter of its CPU time at 35k
 * calls/s, bench/OPTIMISATIONS.md), since almost every WAMP string (URIs, dict keys, typical
 * payloads) is short. Node's Buffer has a native slice decoder that Bun and Deno both provide
 * and that accepts any Uint8Array; TextDecoder is the fallback where it is missing. Invalid
 * sequences become U+FFFD, as with the libraries' own decoders.
 */
const native = (Buffer.prototype as unknown as {
  utf8Slice?: (this: Uint8Array, start: number, end: number) => string;
}).utf8Slice;
const fallback = new TextDecoder();

export const utf8Slice: (bytes: Uint8Array, start: number, end: number) => string = native
  ? (bytes, start, end) => native.call(bytes, start, end)
  : (bytes, start, end) => fallback.decode(bytes.subarray(start, end));
