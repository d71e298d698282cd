/**
 * IPv4 and IPv6 CIDR blocks for security sources. Both families are held as 16 bytes (IPv4 as
 * an IPv4-mapped IPv6 address, ::ffff:a.b.c.d) so one comparison serves both, and a client
 * that reaches a dual-stack listener as "::ffff:10.0.0.1" matches "10.0.0.0/8".
 */
export interface Cidr {
  /** Network address, 16 bytes. */
  bytes: Uint8Array;
  /** Prefix length over the 16 bytes (an IPv4 /8 is 96 + 8). */
  bits: number;
  /** The prefix length as written (for messages and "most specific" comparisons). */
  text: string;
}

const V4_MAPPED_PREFIX = 96;

/** Parses "10.0.0.0/8", "::1/128", "2001:db8::/32"; a bare address is a host (/32 or /128). */
export function parseCidr(text: string): Cidr | { error: string } {
  const slash = text.indexOf("/");
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const bytes = parseIp(addrText);
  if (!bytes) return { error: `"${text}" is not an IPv4 or IPv6 CIDR (e.g. 10.0.0.0/8, ::1/128)` };
  const v4 = !addrText.includes(":");
  const max = v4 ? 32 : 128;
  let len = max;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) {
      return { error: `"${text}": prefix length must be 0..${max}` };
    }
    len = Number(lenText);
  }
  const bits = v4 ? V4_MAPPED_PREFIX + len : len;
  return { bytes: maskTo(bytes, bits), bits, text };
}

/** Parses an IPv4 or IPv6 address (brackets, zone ids and IPv4-mapped forms accepted). */
export function parseIp(text: string): Uint8Array | undefined {
  let t = text.trim();
  if (t.startsWith("[") && t.endsWith("]")) t = t.slice(1, -1);
  const zone = t.indexOf("%");
  if (zone >= 0) t = t.slice(0, zone);
  if (!t.includes(":")) {
    const v4 = parseV4(t);
    if (!v4) return undefined;
    const out = new Uint8Array(16);
    out[10] = 0xff;
    out[11] = 0xff;
    out.set(v4, 12);
    return out;
  }
  return parseV6(t);
}

/** Whether `address` (16 bytes) lies inside `cidr`. */
export function cidrContains(cidr: Cidr, address: Uint8Array): boolean {
  const full = cidr.bits >> 3;
  for (let i = 0; i < full; i++) if (cidr.bytes[i] !== address[i]) return false;
  const rest = cidr.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (address[full] & mask) === cidr.bytes[full];
}

function maskTo(bytes: Uint8Array, bits: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    out[i] = bytes[i] & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

function parseV4(t: string): Uint8Array | undefined {
  const parts = t.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i]) || Number(parts[i]) > 255) return undefined;
    out[i] = Number(parts[i]);
  }
  return out;
}

function parseV6(t: string): Uint8Array | undefined {
  const halves = t.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === "") return [];
    const out: number[] = [];
    const parts = s.split(":");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes(".")) {
        const v4 = parseV4(p);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i] >> 8;
    out[2 * i + 1] = all[i] & 0xff;
  }
  return out;
}
