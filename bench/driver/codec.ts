/**
 * The driver's own WAMP serializers over plain arrays (the router's serializers build typed
 * Message objects and validate; a load generator only needs the wire array). Also the
 * pre-encoded request templates: a CALL/PUBLISH/YIELD whose only changing field is the request
 * id is encoded once, and each send only splices the id in.
 */
import { Decoder as MsgpackDecoder, Encoder as MsgpackEncoder } from "@msgpack/msgpack";
// The pure-JS entry of cbor-x (see src/wamp/serializers/cbor.ts for why not the package root).
import { Encoder as CborEncoder } from "cbor-x/encode";

export type SerializerName = "json" | "msgpack" | "cbor";
export const SERIALIZERS: readonly SerializerName[] = ["json", "msgpack", "cbor"];

export interface Codec {
  name: SerializerName;
  binary: boolean;
  /** RawSocket serializer id (1 JSON, 2 MessagePack, 3 CBOR). */
  rawsocketId: number;
  subprotocol: string;
  encode(msg: unknown[]): Uint8Array;
  decode(frame: Uint8Array): unknown[];
  /**
   * A template for messages `[type, <id>, ...rest]`: returns a function that builds the frame
   * for one id (an integer below 2^32) without encoding `rest` again.
   */
  template(type: number, rest: unknown[]): (id: number) => Uint8Array;
}

const utf8 = new TextEncoder();
const text = new TextDecoder();

const json: Codec = {
  name: "json",
  binary: false,
  rawsocketId: 1,
  subprotocol: "wamp.2.json",
  encode: (msg) => utf8.encode(JSON.stringify(msg)),
  decode: (frame) => JSON.parse(text.decode(frame)),
  template(type, rest) {
    const head = utf8.encode(`[${type},`);
    const tail = utf8.encode(rest.length ? `,${JSON.stringify(rest).slice(1)}` : "]");
    return (id) => {
      const digits = String(id);
      const out = new Uint8Array(head.length + digits.length + tail.length);
      out.set(head, 0);
      for (let i = 0; i < digits.length; i++) out[head.length + i] = digits.charCodeAt(i);
      out.set(tail, head.length + digits.length);
      return out;
    };
  },
};

/** Splices a fixed-width uint32 id between a pre-encoded head and tail (valid, if not minimal, MessagePack/CBOR). */
function fixedWidthTemplate(head: number[], restParts: Uint8Array[]): (id: number) => Uint8Array {
  const rest = concat(restParts);
  const idAt = head.length;
  return (id) => {
    const out = new Uint8Array(idAt + 4 + rest.length);
    out.set(head, 0);
    out[idAt] = id >>> 24;
    out[idAt + 1] = (id >>> 16) & 0xff;
    out[idAt + 2] = (id >>> 8) & 0xff;
    out[idAt + 3] = id & 0xff;
    out.set(rest, idAt + 4);
    return out;
  };
}

// One encoder and decoder for the process: @msgpack/msgpack's encode()/decode() functions build
// a new one per call. encode() returns a copy, so queued frames never share its buffer.
const mpEncoder = new MsgpackEncoder();
const mpDecoder = new MsgpackDecoder();
const mpEncode = (v: unknown) => mpEncoder.encode(v);

const msgpack: Codec = {
  name: "msgpack",
  binary: true,
  rawsocketId: 2,
  subprotocol: "wamp.2.msgpack",
  encode: (msg) => mpEncode(msg),
  decode: (frame) => mpDecoder.decode(frame) as unknown[],
  template(type, rest) {
    // fixarray header, positive fixint type, uint32 marker (0xce) then the 4 id bytes.
    return fixedWidthTemplate([0x90 | (rest.length + 2), type, 0xce], rest.map((v) => mpEncode(v)));
  },
};

const cborEncoder = new CborEncoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, variableMapSize: true });

const cbor: Codec = {
  name: "cbor",
  binary: true,
  rawsocketId: 3,
  subprotocol: "wamp.2.cbor",
  encode: (msg) => cborEncoder.encode(msg),
  decode: (frame) => cborEncoder.decode(frame) as unknown[],
  template(type, rest) {
    // array header (major 4), uint8 type (0x18 nn), uint32 marker (0x1a) then the 4 id bytes.
    return fixedWidthTemplate([0x80 | (rest.length + 2), 0x18, type, 0x1a], rest.map((v) => cborEncoder.encode(v)));
  },
};

const CODECS: Record<SerializerName, Codec> = { json, msgpack, cbor };

export function codecFor(name: string): Codec {
  const c = CODECS[name as SerializerName];
  if (!c) throw new Error(`unknown serializer "${name}": use json, msgpack or cbor`);
  return c;
}

export function codecByRawsocketId(id: number): Codec | undefined {
  return Object.values(CODECS).find((c) => c.rawsocketId === id);
}

export function codecBySubprotocol(p: string): Codec | undefined {
  return Object.values(CODECS).find((c) => c.subprotocol === p);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Structural equality of decoded payloads (arrays, plain objects, primitives, byte arrays). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return typeof a === "bigint" || typeof b === "bigint" ? Number(a) === Number(b) : false;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  const ka = Object.keys(a);
  if (Array.isArray(b) || ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}
