import { ProtocolViolation } from "./errors.ts";
import type { Dict } from "./messages.ts";
import { MAX_ID } from "./ids.ts";

/**
 * Type predicates for wire values, and the failure helper. Kept free of allocation: the error
 * text (`CALL.Options.timeout must be …`) is only built when a check fails.
 */

/** Spec "IDs": integer in [1, 2^53]; 0 is accepted too (revocation UNREGISTERED/UNSUBSCRIBED). */
export function isId(v: unknown): v is number {
  return typeof v === "number" && v >= 0 && v <= MAX_ID && Math.floor(v) === v;
}

/** Spec `integer`: non-negative. */
export function isUint(v: unknown): v is number {
  return typeof v === "number" && v >= 0 && v <= Number.MAX_SAFE_INTEGER && Math.floor(v) === v;
}

/** Spec `dict`: a plain object with string keys (not an array, Date, Map or byte array). */
export function isDict(v: unknown): v is Dict {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function isIdList(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (!isId(v[i])) return false;
  return true;
}

export function isStringList(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== "string") return false;
  return true;
}

/** True when the dict has at least one own key (without allocating a key array). */
export function hasKeys(d: Dict): boolean {
  for (const _ in d) return true;
  return false;
}

/** Throws `<where>.<key> must be <what>`, e.g. "PUBLISH.Options.acknowledge must be a boolean". */
export function fail(where: string, key: string, what: string): never {
  throw new ProtocolViolation(`${where}.${key} must be ${what}`);
}

export function expectBool(v: unknown, where: string, key: string): void {
  if (typeof v !== "boolean") fail(where, key, "a boolean");
}

export function expectString(v: unknown, where: string, key: string): void {
  if (typeof v !== "string") fail(where, key, "a string");
}

export function expectId(v: unknown, where: string, key: string): void {
  if (!isId(v)) fail(where, key, "an id (integer in [0, 2^53])");
}

export function expectUint(v: unknown, where: string, key: string): void {
  if (!isUint(v)) fail(where, key, "a non-negative integer");
}

export function expectDict(v: unknown, where: string, key: string): void {
  if (!isDict(v)) fail(where, key, "a dict");
}

export function expectIdList(v: unknown, where: string, key: string): void {
  if (!isIdList(v)) fail(where, key, "a list of ids");
}

export function expectStringList(v: unknown, where: string, key: string): void {
  if (!isStringList(v)) fail(where, key, "a list of strings");
}

export function expectOneOf(v: unknown, allowed: readonly string[], where: string, key: string): void {
  if (typeof v !== "string" || !allowed.includes(v)) fail(where, key, `one of ${allowed.join(", ")}`);
}
