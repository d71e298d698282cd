/**
 * Fast verification of the frames the measured phase receives most, per serializer: each
 * matcher returns the frame's request id / sequence number when the frame has exactly the
 * expected form and payload, or -1 (then the role decodes the frame fully and verifies that).
 */
import { concat, type Codec } from "./codec.ts";
import { binaryMatcher, emptyMap, messageHead } from "./binary_fast.ts";
import { eventSeq, idThenTail, invocationId } from "./json_fast.ts";
import type { Payload } from "./payloads.ts";
import { payloadTail } from "./payloads.ts";
import { T } from "./session.ts";

export type Matcher = (frame: Uint8Array) => number;

const encodedTail = (codec: Codec, values: unknown[]) => concat(values.map((v) => codec.encode(v as unknown[])));

/** RESULT [50, request, {}, args(, kwargs)] -> request. */
export function resultMatcher(codec: Codec, payload: Payload): Matcher {
  const tail = payloadTail(payload);
  if (codec.name === "json") return idThenTail(T.RESULT, `,{},${tail.map((v) => JSON.stringify(v)).join(",")}]`);
  return binaryMatcher(codec.name, [
    { bytes: messageHead(codec.name, 3 + tail.length, T.RESULT) },
    { uint: "capture" },
    { bytes: concat([emptyMap(codec.name), encodedTail(codec, tail)]) },
  ]);
}

/** INVOCATION [68, request, registration, {}, args(, kwargs)] -> request. */
export function invocationMatcher(codec: Codec, payload: Payload): Matcher {
  const tail = payloadTail(payload);
  if (codec.name === "json") return invocationId(`,{},${tail.map((v) => JSON.stringify(v)).join(",")}]`);
  return binaryMatcher(codec.name, [
    { bytes: messageHead(codec.name, 4 + tail.length, T.INVOCATION) },
    { uint: "capture" },
    { uint: "skip" },
    { bytes: concat([emptyMap(codec.name), encodedTail(codec, tail)]) },
  ]);
}

/** EVENT [36, subscription, publication, {}, [seq, payloadArg]] -> seq. */
export function eventMatcher(codec: Codec, payloadArg: unknown): Matcher {
  if (codec.name === "json") return eventSeq(JSON.stringify(payloadArg));
  const pair = codec.name === "msgpack" ? 0x92 : 0x82; // an array of 2: [seq, payload]
  return binaryMatcher(codec.name, [
    { bytes: messageHead(codec.name, 5, T.EVENT) },
    { uint: "skip" },
    { uint: "skip" },
    { bytes: concat([emptyMap(codec.name), Uint8Array.of(pair)]) },
    { uint: "capture" },
    { bytes: codec.encode(payloadArg as unknown[]) },
  ]);
}
