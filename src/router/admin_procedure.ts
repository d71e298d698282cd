import { type Struct, StructError, validate } from "superstruct";
import { Errors } from "../wamp/errors.ts";
import type { Dict } from "../wamp/messages.ts";
import type { Principal } from "../store/security_records.ts";

/** One call of an admin procedure: the INVOCATION's payload and who called. */
export interface AdminCall {
  args: unknown[];
  kwargs: Dict;
  caller: number;
  callerAuthid?: string;
  callerAuthrole?: string;
}

/** What a procedure yields as Arguments[0] (undefined: an empty result). */
export type AdminProcedures = Record<string, (call: AdminCall) => unknown | Promise<unknown>>;

/** A refused admin call: ERROR with `uri`, the message as Arguments[0]. */
export class AdminError extends Error {
  constructor(readonly uri: string, message: string) {
    super(message);
    this.name = "AdminError";
  }
}

export const invalid = (message: string): AdminError => new AdminError(Errors.INVALID_ARGUMENT, message);
export const notFound = (uri: string, message: string): AdminError => new AdminError(uri, message);

/** Bondy's error URIs for missing entities (clients migrating from Bondy match on them). */
export const NOT_FOUND = {
  realm: Errors.NO_SUCH_REALM,
  user: "bondy.error.not_found",
  group: "bondy.error.not_found",
  source: "bondy.error.not_found",
  grant: "bondy.error.not_found",
};
export const ALREADY_EXISTS = "bondy.error.already_exists";

/** Arguments[i] as a non-empty string named `name`. */
export function textArg(call: AdminCall, i: number, name: string): string {
  const v = call.args[i];
  if (typeof v === "string" && v !== "") return v;
  throw invalid(`Arguments[${i}] (${name}) must be a non-empty string`);
}

/** Validates Arguments[i] against a superstruct schema; the error names the failing field. */
export function bodyArg<T>(call: AdminCall, i: number, name: string, schema: Struct<T, unknown>): T {
  const [err, value] = validate(call.args[i] ?? {}, schema, { coerce: true });
  if (err) throw invalid(describe(err, `Arguments[${i}] (${name})`));
  return value as T;
}

function describe(err: StructError, where: string): string {
  const f = err.failures()[0] ?? err;
  const path = f.path.length > 0 ? `.${f.path.join(".")}` : "";
  if (f.type === "never") return `${where}${path} is not a known field`;
  if (f.value === undefined && f.type !== "never") return `${where}${path} is required (${f.message})`;
  return `${where}${path}: ${f.message}`;
}

/** "all" | "anonymous" | {user} | {group} (config form) → Principal. */
export function toPrincipal(v: unknown): Principal | undefined {
  if (v === "all" || v === "anonymous") return { kind: v };
  if (typeof v === "string") {
    const m = /^(user|group):(.+)$/.exec(v);
    if (m) return m[1] === "user" ? { kind: "user", authid: m[2] } : { kind: "group", name: m[2] };
    return undefined;
  }
  if (typeof v === "object" && v !== null) {
    const o = v as { user?: unknown; group?: unknown };
    if (typeof o.user === "string" && o.user !== "" && Object.keys(o).length === 1) return { kind: "user", authid: o.user };
    if (typeof o.group === "string" && o.group !== "" && Object.keys(o).length === 1) return { kind: "group", name: o.group };
  }
  return undefined;
}

/** Principal → the config form the API returns. */
export function principalView(p: Principal): unknown {
  switch (p.kind) {
    case "user": return { user: p.authid };
    case "group": return { group: p.name };
    default: return p.kind;
  }
}
