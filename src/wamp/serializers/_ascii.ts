/**
 * Copies `s` into `bytes` at `at` when every character is ASCII (one byte each: URIs, dict keys
 * and most payload strings) and returns where it ended; -1 at the first other character, for
 * the caller's UTF-8 path. The caller makes room for `s.length` bytes.
 */
export function writeAscii(bytes: Uint8Array, at: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return -1;
    bytes[at++] = c;
  }
  return at;
}
