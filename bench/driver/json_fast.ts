/**
 * Byte-level checks for the JSON frames the driver receives most (RESULT, INVOCATION, EVENT),
 * so verifying a frame does not cost a TextDecoder + JSON.parse when it has the exact expected
 * form: the payload part must equal the expected JSON byte for byte and the one varying integer
 * (request id or sequence number) is read from the bytes. Anything else (other details, other
 * key order, other spacing) returns -1 and the caller falls back to a full decode: a frame is
 * never accepted by a fast check that a full decode would reject.
 */

const enc = new TextEncoder();
const COMMA = 0x2c;
const OPEN = 0x5b;

function endsWith(frame: Uint8Array, tail: Uint8Array): boolean {
  const off = frame.length - tail.length;
  if (off < 0) return false;
  for (let i = 0; i < tail.length; i++) if (frame[off + i] !== tail[i]) return false;
  return true;
}

/** Reads the non-negative integer in frame[from, to); -1 if those bytes are not all digits. */
function digits(frame: Uint8Array, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = frame[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Whether frame[from, to) is a non-empty run of digits (ids up to 2^53 have 16 of them). */
function allDigits(frame: Uint8Array, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) if (frame[i] < 0x30 || frame[i] > 0x39) return false;
  return true;
}

/**
 * For `[<type>,<id>,<anything>` + `<tail>`: returns id, or -1. `middle` bytes between the id and
 * the tail are checked by the caller's choice of tail: for RESULT, tail is `,{},<args>]`
 * starting right after the id, so nothing is skipped.
 */
export function idThenTail(type: number, tailJson: string): (frame: Uint8Array) => number {
  const head = enc.encode(`[${type},`);
  const tail = enc.encode(tailJson);
  return (frame) => {
    for (let i = 0; i < head.length; i++) if (frame[i] !== head[i]) return -1;
    const idEnd = frame.indexOf(COMMA, head.length);
    if (idEnd < 0 || idEnd !== frame.length - tail.length || !endsWith(frame, tail)) return -1;
    return digits(frame, head.length, idEnd);
  };
}

/**
 * For INVOCATION `[68,<id>,<registration>` + `<tail>` (tail `,{},<args>]`): returns id, or -1.
 * The registration id between them must be digits only.
 */
export function invocationId(tailJson: string): (frame: Uint8Array) => number {
  const head = enc.encode("[68,");
  const tail = enc.encode(tailJson);
  return (frame) => {
    for (let i = 0; i < head.length; i++) if (frame[i] !== head[i]) return -1;
    const idEnd = frame.indexOf(COMMA, head.length);
    const regEnd = frame.length - tail.length;
    if (idEnd < 0 || regEnd <= idEnd + 1 || !endsWith(frame, tail)) return -1;
    if (!allDigits(frame, idEnd + 1, regEnd)) return -1;
    return digits(frame, head.length, idEnd);
  };
}

/** For EVENT `[36,<sub>,<pub>,{},[<seq>,<payload>]]`: returns seq, or -1. */
export function eventSeq(payloadJson: string): (frame: Uint8Array) => number {
  const head = enc.encode("[36,");
  const tail = enc.encode(`,${payloadJson}]]`);
  const details = enc.encode(",{},[");
  return (frame) => {
    for (let i = 0; i < head.length; i++) if (frame[i] !== head[i]) return -1;
    if (!endsWith(frame, tail)) return -1;
    const seqEnd = frame.length - tail.length;
    const open = frame.lastIndexOf(OPEN, seqEnd);
    const detailsAt = open - details.length + 1;
    if (open < 0 || detailsAt < head.length) return -1;
    for (let i = 0; i < details.length; i++) if (frame[detailsAt + i] !== details[i]) return -1;
    // Between the head and the details: "<sub>,<pub>", both digits.
    const mid = frame.indexOf(COMMA, head.length);
    if (mid < 0 || mid >= detailsAt || !allDigits(frame, head.length, mid) || !allDigits(frame, mid + 1, detailsAt)) return -1;
    return digits(frame, open + 1, seqEnd);
  };
}
