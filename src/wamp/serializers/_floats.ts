/**
 * Big-endian float32/float64 from and to a byte array without a DataView: a DataView needs
 * `bytes.buffer`, and on a Uint8Array the runtime created natively (a WebSocket frame under
 * Bun) that getter allocates the ArrayBuffer object anew (bench/OPTIMISATIONS.md).
 * The caller checks the bounds.
 */
const f32 = new Float32Array(1);
const f32Bytes = new Uint8Array(f32.buffer);
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function readFloat32BE(bytes: Uint8Array, at: number): number {
  if (littleEndian) for (let i = 0; i < 4; i++) f32Bytes[3 - i] = bytes[at + i];
  else for (let i = 0; i < 4; i++) f32Bytes[i] = bytes[at + i];
  return f32[0];
}

export function readFloat64BE(bytes: Uint8Array, at: number): number {
  if (littleEndian) for (let i = 0; i < 8; i++) f64Bytes[7 - i] = bytes[at + i];
  else for (let i = 0; i < 8; i++) f64Bytes[i] = bytes[at + i];
  return f64[0];
}

/** Writes `v` as a big-endian float64 at `at`; the caller makes room for 8 bytes. */
export function writeFloat64BE(bytes: Uint8Array, at: number, v: number): void {
  f64[0] = v;
  if (littleEndian) for (let i = 0; i < 8; i++) bytes[at + i] = f64Bytes[7 - i];
  else for (let i = 0; i < 8; i++) bytes[at + i] = f64Bytes[i];
}
