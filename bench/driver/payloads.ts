/** The payload shapes of the scenarios (nexus's benchmark shapes): what is sent and must come back. */

export type PayloadKind = "str64" | "ints128" | "str4k" | "dict8";
export const PAYLOAD_KINDS: readonly PayloadKind[] = ["str64", "ints128", "str4k", "dict8"];

export interface Payload {
  args: unknown[];
  kwargs?: Record<string, unknown>;
}

export function payloadFor(kind: PayloadKind): Payload {
  switch (kind) {
    case "str64":
      return { args: ["x".repeat(64)] };
    case "ints128":
      return { args: Array.from({ length: 128 }, (_, i) => i * 1009 - 50_000) };
    case "str4k":
      return { args: ["y".repeat(4096)] };
    case "dict8":
      return { args: [], kwargs: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`key${i}`, i % 2 ? i * 7 : `value${i}`])) };
  }
  throw new Error(`unknown payload "${kind}": use ${PAYLOAD_KINDS.join(", ")}`);
}

/** The message tail [args] or [args, kwargs] for a payload. */
export function payloadTail(p: Payload): unknown[] {
  return p.kwargs ? [p.args, p.kwargs] : [p.args];
}
