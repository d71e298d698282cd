import type { Dict } from "../src/wamp/mod.ts";

/** One hop of WAMP forward_for: who a CALL or PUBLISH is really made on behalf of. */
export interface ForwardHop {
  session: number;
  authid: string;
  authrole: string;
}

/**
 * forward_for for a request the bridge makes on behalf of the caller/publisher named in an
 * INVOCATION/EVENT's Details: the hops it already carried, then that caller/publisher (when
 * the router disclosed it). Undefined when there is nobody to name.
 */
export function forwardChain(details: Dict, role: "caller" | "publisher"): ForwardHop[] | undefined {
  const prior = Array.isArray(details.forward_for) ? (details.forward_for as ForwardHop[]) : [];
  const id = details[role];
  if (typeof id !== "number") return prior.length > 0 ? prior : undefined;
  const authid = details[`${role}_authid`];
  const authrole = details[`${role}_authrole`];
  return [...prior, { session: id, authid: typeof authid === "string" ? authid : "", authrole: typeof authrole === "string" ? authrole : "" }];
}

/**
 * The publication ids forwarded lately, so one publication that reaches the bridge through two
 * of its subscriptions (overlapping filters or patterns) crosses only once. Bounded: the oldest
 * id is forgotten first (publication ids are random, so reuse within the window is negligible).
 */
export class RecentIds {
  private readonly ring: number[];
  private readonly set = new Set<number>();
  private next = 0;

  constructor(private readonly size: number) {
    this.ring = new Array<number>(size);
  }

  /** True if `id` was seen within the window; records it otherwise. */
  seen(id: number): boolean {
    if (this.set.has(id)) return true;
    const old = this.ring[this.next];
    if (old !== undefined) this.set.delete(old);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.size;
    this.set.add(id);
    return false;
  }
}
