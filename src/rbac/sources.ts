import type { SourceRecord } from "../store/security_records.ts";
import { cidrContains, parseCidr, parseIp } from "./cidr.ts";
import { covers, type Principals, principalRank } from "./principals.ts";

/**
 * The source that decides how `principals` may authenticate from `address`: among the
 * sources whose principal covers them and whose CIDR contains the address, the most specific
 * CIDR wins (longest prefix; IPv4 compared as IPv4-mapped IPv6); between equally specific
 * ones, the closer principal (user, then group, then all/anonymous); then the first stored.
 * Sources with an unparsable CIDR never match (the admin API refuses them on write).
 */
export function selectSource(sources: SourceRecord[], principals: Principals, address: string | undefined): SourceRecord | undefined {
  const ip = address === undefined ? undefined : parseIp(address);
  if (!ip) return undefined;
  let best: SourceRecord | undefined;
  let bestBits = -1;
  let bestRank = -1;
  for (const s of sources) {
    if (!covers(s.to, principals)) continue;
    const cidr = parseCidr(s.cidr);
    if ("error" in cidr || !cidrContains(cidr, ip)) continue;
    const rank = principalRank(s.to);
    if (cidr.bits > bestBits || (cidr.bits === bestBits && rank > bestRank)) {
      best = s;
      bestBits = cidr.bits;
      bestRank = rank;
    }
  }
  return best;
}

/** An error message for a source that cannot be stored, or undefined (admin API validation). */
export function validateSource(s: Pick<SourceRecord, "cidr" | "authmethods">): string | undefined {
  const cidr = parseCidr(s.cidr);
  if ("error" in cidr) return cidr.error;
  if (s.authmethods.length === 0) return `source ${s.cidr} allows no authmethods`;
  return undefined;
}
