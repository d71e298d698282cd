import type { Dict } from "../wamp/messages.ts";
import { Errors } from "../wamp/errors.ts";
import { isValidUri } from "../wamp/uri.ts";

/** One call of a meta procedure: the INVOCATION's payload and the calling session. */
export interface MetaCall {
  args: unknown[];
  kwargs: Dict;
  /** INVOCATION.Details.caller: the dealer always discloses the caller to internal callees. */
  caller: number;
}

/** What a meta procedure yields; undefined means an empty result. */
export type MetaResult = { args?: unknown[]; kwargs?: Dict } | undefined;

export type MetaProcedures = Record<string, (call: MetaCall) => MetaResult>;

/** A meta procedure's failure: becomes ERROR with `uri` and the message as Arguments[0]. */
export class MetaError extends Error {
  constructor(readonly uri: string, message: string) {
    super(message);
    this.name = "MetaError";
  }
}

/** Arguments[i] as an id (a non-negative safe integer), else wamp.error.invalid_argument. */
export function idArg(call: MetaCall, i: number, name: string): number {
  const v = call.args[i];
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === "bigint" && v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  throw new MetaError(Errors.INVALID_ARGUMENT, `Arguments[${i}] (${name}) must be an id`);
}

export function stringArg(call: MetaCall, i: number, name: string): string {
  const v = call.args[i];
  if (typeof v === "string") return v;
  throw new MetaError(Errors.INVALID_ARGUMENT, `Arguments[${i}] (${name}) must be a string`);
}

/** An optional dict argument (lookup's `options`); null counts as absent. */
export function optionalDictArg(call: MetaCall, i: number, name: string): Dict {
  const v = call.args[i];
  if (v === undefined || v === null) return {};
  if (typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array)) return v as Dict;
  throw new MetaError(Errors.INVALID_ARGUMENT, `Arguments[${i}] (${name}) must be a dict`);
}

/** A keyword argument of type `type` (or undefined when absent or null). */
export function kwarg<K extends "string" | "number" | "boolean">(call: MetaCall, key: string, type: K):
  (K extends "string" ? string : K extends "number" ? number : boolean) | undefined {
  const v = call.kwargs[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === type) return v as never;
  throw new MetaError(Errors.INVALID_ARGUMENT, `ArgumentsKw.${key} must be a ${type}`);
}

/** A match policy given in options.match (spec "Pattern-based Registration/Subscription"). */
export function matchOption(options: Dict): "exact" | "prefix" | "wildcard" {
  const m = options.match ?? "exact";
  if (m === "exact" || m === "prefix" || m === "wildcard") return m;
  throw new MetaError(Errors.INVALID_ARGUMENT, `options.match must be "exact", "prefix" or "wildcard"`);
}

/** kill*: ArgumentsKw.reason must be "a valid non-empty URI" (spec "Session Meta API"). */
export function reasonKwarg(call: MetaCall, fallback: string): string {
  const v = call.kwargs.reason;
  if (v === undefined || v === null) return fallback;
  if (typeof v === "string" && v.length > 0 && isValidUri(v, { strict: false })) return v;
  throw new MetaError(Errors.INVALID_URI, `ArgumentsKw.reason must be a valid non-empty URI`);
}
