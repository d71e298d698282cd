/**
 * The MessagePack and CBOR counterpart of json_fast.ts: a frame is walked field by field
 * against the exact form expected (array header, message type, integers, empty details, the
 * payload's encoded bytes) and the one varying integer is read; any other form returns -1 and
 * the caller decodes the frame fully. Integers may come in any width (the router writes them
 * minimal, 64-bit ids as uint64).
 */

export type Field = { uint: "capture" | "skip" } | { bytes: Uint8Array };

type Binary = "msgpack" | "cbor";

/** Reads an unsigned integer at `at`; returns [value, next position] or undefined. */
function readUint(kind: Binary, f: Uint8Array, at: number): [number, number] | undefined {
  const b = f[at];
  if (b === undefined) return undefined;
  if (kind === "msgpack") {
    if (b < 0x80) return [b, at + 1];
    if (b === 0xcc) return [f[at + 1], at + 2];
    if (b === 0xcd) return [(f[at + 1] << 8) | f[at + 2], at + 3];
    if (b === 0xce) return [((f[at + 1] << 24) >>> 0) + ((f[at + 2] << 16) | (f[at + 3] << 8) | f[at + 4]), at + 5];
    if (b === 0xcf) return [hi(f, at + 1), at + 9];
    return undefined;
  }
  if (b < 0x18) return [b, at + 1];
  if (b === 0x18) return [f[at + 1], at + 2];
  if (b === 0x19) return [(f[at + 1] << 8) | f[at + 2], at + 3];
  if (b === 0x1a) return [((f[at + 1] << 24) >>> 0) + ((f[at + 2] << 16) | (f[at + 3] << 8) | f[at + 4]), at + 5];
  if (b === 0x1b) return [hi(f, at + 1), at + 9];
  return undefined;
}

/** A 64-bit big-endian integer as a number (exact up to 2^53; only ever skipped or small). */
function hi(f: Uint8Array, at: number): number {
  let n = 0;
  for (let i = 0; i < 8; i++) n = n * 256 + f[at + i];
  return n;
}

export function binaryMatcher(kind: Binary, fields: Field[]): (frame: Uint8Array) => number {
  return (frame) => {
    let at = 0;
    let captured = -1;
    for (const field of fields) {
      if ("bytes" in field) {
        const b = field.bytes;
        if (at + b.length > frame.length) return -1;
        for (let i = 0; i < b.length; i++) if (frame[at + i] !== b[i]) return -1;
        at += b.length;
      } else {
        const r = readUint(kind, frame, at);
        if (!r || r[1] > frame.length) return -1;
        if (field.uint === "capture") captured = r[0];
        at = r[1];
      }
    }
    return at === frame.length ? captured : -1;
  };
}

/** The header bytes of a message array of `n` elements whose first element is `type`. */
export function messageHead(kind: Binary, n: number, type: number): Uint8Array {
  return kind === "msgpack" ? Uint8Array.of(0x90 | n, type) : Uint8Array.of(0x80 | n, 0x18, type);
}

/** An empty map ({} details). */
export function emptyMap(kind: Binary): Uint8Array {
  return Uint8Array.of(kind === "msgpack" ? 0x80 : 0xa0);
}
