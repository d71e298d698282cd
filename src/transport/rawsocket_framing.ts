/**
 * WAMP "RawSocket Transport" wire format: the 4-octet handshake and the 4-octet frame prefix.
 *
 * Handshake (both directions):  0111 1111 | LLLL SSSS | RRRR RRRR | RRRR RRRR
 *   magic 0x7F, LENGTH exponent (max message length 2^(9+L)), SERIALIZER id, reserved zeros.
 * Error reply:                  0111 1111 | EEEE 0000 | RRRR RRRR | RRRR RRRR
 * Frame prefix:                 RRRR XTTT | 24-bit big-endian length
 *   TTT 0 = WAMP message, 1 = PING, 2 = PONG; X is a 25th length bit, set only for exactly 2^24.
 */

export const MAGIC = 0x7f;

export const FrameType = { MESSAGE: 0, PING: 1, PONG: 2 } as const;

/** Handshake error codes (upper nibble of the second octet of an error reply). */
export const HandshakeError = {
  SERIALIZER_UNSUPPORTED: 1,
  MAX_LENGTH_UNACCEPTABLE: 2,
  RESERVED_BITS: 3,
  MAX_CONNECTIONS: 4,
} as const;

const handshakeErrorText: Record<number, string> = {
  1: "serializer unsupported",
  2: "maximum message length unacceptable",
  3: "use of reserved bits (unsupported feature)",
  4: "maximum connection count reached",
};

export function handshakeErrorName(code: number): string {
  return handshakeErrorText[code] ?? `unknown error ${code}`;
}

export const MIN_LENGTH = 2 ** 9;
export const MAX_LENGTH = 2 ** 24;

/** Largest LENGTH exponent whose length does not exceed `maxLength` (clamped to 0..15). */
export function lengthExponent(maxLength: number): number {
  let exp = 0;
  while (exp < 15 && 2 ** (exp + 10) <= maxLength) exp++;
  return exp;
}

export function exponentLength(exp: number): number {
  return 2 ** (9 + exp);
}

export function handshakeRequest(maxLength: number, serializerId: number): Uint8Array {
  return Uint8Array.of(MAGIC, (lengthExponent(maxLength) << 4) | serializerId, 0, 0);
}

export function handshakeErrorReply(code: number): Uint8Array {
  return Uint8Array.of(MAGIC, code << 4, 0, 0);
}

/** A complete frame: prefix + payload, in one buffer (written to the socket as it is). */
export function encodeFrame(type: number, payload: Uint8Array): Uint8Array {
  const len = payload.byteLength;
  const out = new Uint8Array(4 + len);
  if (len === MAX_LENGTH) {
    out[0] = type | 0x08;
  } else {
    out[0] = type;
    out[1] = (len >>> 16) & 0xff;
    out[2] = (len >>> 8) & 0xff;
    out[3] = len & 0xff;
  }
  out.set(payload, 4);
  return out;
}

/**
 * Reassembles frames from a byte stream cut at arbitrary points (a prefix split over chunks,
 * many frames in one chunk). Never holds more than one frame: the payload buffer is allocated
 * at the announced length, which is checked against `maxLength` first. Whole frames inside one
 * chunk are delivered as views into it, without copying.
 */
export class FrameReader {
  private readonly head = new Uint8Array(4);
  private headFill = 0;
  private body: Uint8Array | undefined;
  private bodyFill = 0;
  private bodyType = 0;
  private stopped = false;

  constructor(
    private readonly maxLength: number,
    private readonly onFrame: (type: number, payload: Uint8Array) => void,
    private readonly onError: (message: string, tooLarge: boolean) => void,
  ) {}

  /** No more frames are delivered (the connection is failing or closed). */
  stop(): void {
    this.stopped = true;
    this.body = undefined;
  }

  feed(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    while (i < n && !this.stopped) {
      if (this.body) {
        const take = Math.min(this.body.length - this.bodyFill, n - i);
        this.body.set(chunk.subarray(i, i + take), this.bodyFill);
        this.bodyFill += take;
        i += take;
        if (this.bodyFill === this.body.length) {
          const payload = this.body;
          this.body = undefined;
          this.onFrame(this.bodyType, payload);
        }
        continue;
      }
      let b0: number, len: number;
      if (this.headFill === 0 && n - i >= 4) {
        b0 = chunk[i];
        len = (chunk[i + 1] << 16) | (chunk[i + 2] << 8) | chunk[i + 3];
        i += 4;
      } else {
        while (this.headFill < 4 && i < n) this.head[this.headFill++] = chunk[i++];
        if (this.headFill < 4) return;
        this.headFill = 0;
        b0 = this.head[0];
        len = (this.head[1] << 16) | (this.head[2] << 8) | this.head[3];
      }
      const type = b0 & 0x07;
      if (!this.checkPrefix(b0, len)) return;
      if (b0 & 0x08) len = MAX_LENGTH;
      if (len > this.maxLength) {
        this.stop();
        this.onError(`frame of ${len} bytes exceeds the maximum message length of ${this.maxLength} bytes`, true);
        return;
      }
      if (n - i >= len) {
        const payload = chunk.subarray(i, i + len);
        i += len;
        this.onFrame(type, payload);
      } else {
        this.body = new Uint8Array(len);
        this.bodyFill = 0;
        this.bodyType = type;
      }
    }
  }

  private checkPrefix(b0: number, len: number): boolean {
    let problem: string | undefined;
    if (b0 & 0xf0) problem = `reserved bits set in frame prefix (0x${b0.toString(16)})`;
    else if ((b0 & 0x07) > FrameType.PONG) problem = `unknown frame type ${b0 & 0x07}`;
    else if (b0 & 0x08 && len !== 0) problem = "frame length bit 25 set with a non-zero length";
    if (problem === undefined) return true;
    this.stop();
    this.onError(problem, false);
    return false;
  }
}
