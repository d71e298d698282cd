import { fromArray, toArray } from "../codec.ts";
import { ProtocolViolation } from "../errors.ts";
import type { Message } from "../messages.ts";
import type { Serializer } from "../serializer.ts";

/**
 * wamp.2.json. Binary values follow the spec's convention ("Binary support in JSON"): a byte
 * array travels as a string holding "\0" + base64. Encoding converts only when the message
 * holds a Uint8Array; decoding looks for strings to convert only when the text contains the
 * escape "\u0000" (JSON cannot hold a raw NUL), so ordinary messages pay nothing.
 */

const utf8 = new TextDecoder("utf-8", { fatal: true });

export const jsonSerializer: Serializer = {
  name: "json",
  subprotocol: "wamp.2.json",
  rawsocketId: 1,
  binary: false,
  encode(msg: Message): string {
    const arr = toArray(msg);
    return JSON.stringify(hasBinary(arr) ? bytesToStrings(arr) : arr);
  },
  decode(data: Uint8Array | string): Message {
    let parsed: unknown;
    try {
      const text = typeof data === "string" ? data : utf8.decode(data);
      parsed = JSON.parse(text);
      if (text.includes("\\u0000")) parsed = stringsToBytes(parsed);
    } catch (err) {
      if (err instanceof ProtocolViolation) throw err;
      throw new ProtocolViolation(`invalid JSON message: ${(err as Error).message}`);
    }
    return fromArray(parsed);
  },
};

/** `v` is an object (not null). Primitives are skipped in the loops, not in a call each: a
 * list of 128 numbers cost 8% of a JSON router's CPU when every item was a call. */
function hasBinary(v: object): boolean {
  if (v instanceof Uint8Array) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x === "object" && x !== null && hasBinary(x)) return true;
    }
    return false;
  }
  const obj = v as Record<string, unknown>;
  for (const k in obj) {
    const x = obj[k];
    if (typeof x === "object" && x !== null && hasBinary(x)) return true;
  }
  return false;
}

/** A copy with every Uint8Array replaced by "\0" + base64 (the input may be shared). */
function bytesToStrings(v: unknown): unknown {
  if (typeof v !== "object" || v === null) return v;
  if (v instanceof Uint8Array) return "\0" + v.toBase64();
  if (Array.isArray(v)) return v.map(bytesToStrings);
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const obj = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in obj) out[k] = bytesToStrings(obj[k]);
  return out;
}

/** In place (the value is freshly parsed): "\0"-prefixed strings become Uint8Array. */
function stringsToBytes(v: unknown): unknown {
  if (typeof v === "string") {
    if (v.charCodeAt(0) !== 0) return v;
    try {
      return Uint8Array.fromBase64(v.slice(1));
    } catch {
      throw new ProtocolViolation("invalid binary value in JSON: not base64 after \\u0000");
    }
  }
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = stringsToBytes(v[i]);
    return v;
  }
  const obj = v as Record<string, unknown>;
  for (const k in obj) obj[k] = stringsToBytes(obj[k]);
  return v;
}
