import { MessageType as T } from "./message_type.ts";
import type { Dict, Message } from "./messages.ts";
import { ProtocolViolation } from "./errors.ts";
import { hasKeys, isDict, isId, isUint } from "./_value_checks.ts";
import {
  checkCallOptions, checkCancelOptions, checkCloseDetails, checkErrorDetails, checkEventDetails,
  checkInvocationDetails, checkPublishOptions, checkRegisterOptions, checkResultDict,
  checkRevocationDetails, checkSessionDetails, checkSubscribeOptions, type DictCheck,
} from "./_dict_checks.ts";

/**
 * The one place that knows WAMP wire positions: Message objects ⇄ the spec's arrays.
 *
 * LAYOUTS is the spec's message table, position by position (`[CALL, Request|id,
 * Options|dict, Procedure|uri, Arguments|list, ArgumentsKw|dict]`). Decoding walks it with a
 * few typeof checks per element; no reflection, no guessing. Trailing Arguments/ArgumentsKw
 * are described by `payload`, not by fields.
 */

// Element kinds (spec "Messages": id, integer, string, uri, dict). A uri is only checked to be
// a string here: its syntax depends on the realm's rules and the match policy, and a bad URI
// is answered with ERROR wamp.error.invalid_uri, not a protocol violation.
const ID = 0, INT = 1, STR = 2, URI = 3, DICT = 4;
type Kind = typeof ID | typeof INT | typeof STR | typeof URI | typeof DICT;
const KIND_TEXT = ["an id (integer in [0, 2^53])", "a non-negative integer", "a string", "a string (uri)", "a dict"];

/** No application payload / Arguments and ArgumentsKw / those or one binary payload. */
const NONE = 0, ARGS = 1, ARGS_OR_BINARY = 2;

interface Field {
  /** Property of the Message object. */
  readonly key: string;
  /** Spec element name, for error texts: CALL.<Options>.timeout. */
  readonly wire: string;
  readonly kind: Kind;
  /** Known-key checks for a dict element. */
  readonly check?: DictCheck;
  /** Only trailing fields may be optional (e.g. UNREGISTERED's revocation Details). */
  readonly optional?: boolean;
  /** "CALL.Options", precomputed so a successful decode builds no strings. */
  readonly where?: string;
}

interface Layout {
  readonly name: string;
  readonly fields: readonly Field[];
  readonly required: number;
  readonly payload: typeof NONE | typeof ARGS | typeof ARGS_OR_BINARY;
}

function f(key: string, wire: string, kind: Kind, check?: DictCheck, optional?: boolean): Field {
  return { key, wire, kind, check, optional };
}

const LAYOUTS: (Layout | undefined)[] = [];
function layout(code: number, name: string, payload: Layout["payload"], ...fields: Field[]): void {
  const required = fields.filter((x) => !x.optional).length;
  const placed = fields.map((x) => ({ ...x, where: `${name}.${x.wire}` }));
  LAYOUTS[code] = { name, fields: placed, required, payload };
}

const request = f("request", "Request", ID);
layout(T.HELLO, "HELLO", NONE, f("realm", "Realm", URI), f("details", "Details", DICT, checkSessionDetails));
layout(T.WELCOME, "WELCOME", NONE, f("session", "Session", ID), f("details", "Details", DICT, checkSessionDetails));
layout(T.ABORT, "ABORT", ARGS, f("details", "Details", DICT, checkCloseDetails), f("reason", "Reason", URI));
layout(T.CHALLENGE, "CHALLENGE", NONE, f("authmethod", "AuthMethod", STR), f("extra", "Extra", DICT));
layout(T.AUTHENTICATE, "AUTHENTICATE", NONE, f("signature", "Signature", STR), f("extra", "Extra", DICT));
layout(T.GOODBYE, "GOODBYE", NONE, f("details", "Details", DICT, checkCloseDetails), f("reason", "Reason", URI));
layout(
  T.ERROR, "ERROR", ARGS_OR_BINARY, f("requestType", "REQUEST.Type", INT), f("request", "REQUEST.Request", ID),
  f("details", "Details", DICT, checkErrorDetails), f("error", "Error", URI),
);
layout(T.PUBLISH, "PUBLISH", ARGS_OR_BINARY, request, f("options", "Options", DICT, checkPublishOptions), f("topic", "Topic", URI));
layout(T.PUBLISHED, "PUBLISHED", NONE, request, f("publication", "Publication", ID));
layout(T.SUBSCRIBE, "SUBSCRIBE", NONE, request, f("options", "Options", DICT, checkSubscribeOptions), f("topic", "Topic", URI));
layout(T.SUBSCRIBED, "SUBSCRIBED", NONE, request, f("subscription", "Subscription", ID));
layout(T.UNSUBSCRIBE, "UNSUBSCRIBE", NONE, request, f("subscription", "Subscription", ID));
// "Subscription Revocation": [UNSUBSCRIBED, 0, Details|dict]
layout(T.UNSUBSCRIBED, "UNSUBSCRIBED", NONE, request, f("details", "Details", DICT, checkRevocationDetails, true));
layout(
  T.EVENT, "EVENT", ARGS_OR_BINARY, f("subscription", "Subscription", ID), f("publication", "Publication", ID),
  f("details", "Details", DICT, checkEventDetails),
);
// Acknowledged event delivery (provisional code 337): [EVENT_RECEIVED, Publication|id, Details|dict?, …]
layout(T.EVENT_RECEIVED, "EVENT_RECEIVED", ARGS_OR_BINARY, f("publication", "Publication", ID), f("details", "Details", DICT, undefined, true));
layout(T.CALL, "CALL", ARGS_OR_BINARY, request, f("options", "Options", DICT, checkCallOptions), f("procedure", "Procedure", URI));
layout(T.CANCEL, "CANCEL", NONE, request, f("options", "Options", DICT, checkCancelOptions));
layout(T.RESULT, "RESULT", ARGS_OR_BINARY, request, f("details", "Details", DICT, checkResultDict));
layout(T.REGISTER, "REGISTER", NONE, request, f("options", "Options", DICT, checkRegisterOptions), f("procedure", "Procedure", URI));
layout(T.REGISTERED, "REGISTERED", NONE, request, f("registration", "Registration", ID));
layout(T.UNREGISTER, "UNREGISTER", NONE, request, f("registration", "Registration", ID));
// "Registration Revocation": [UNREGISTERED, 0, Details|dict]
layout(T.UNREGISTERED, "UNREGISTERED", NONE, request, f("details", "Details", DICT, checkRevocationDetails, true));
layout(
  T.INVOCATION, "INVOCATION", ARGS_OR_BINARY, request, f("registration", "Registration", ID),
  f("details", "Details", DICT, checkInvocationDetails),
);
layout(T.INTERRUPT, "INTERRUPT", NONE, request, f("options", "Options", DICT, checkCancelOptions));
layout(T.YIELD, "YIELD", ARGS_OR_BINARY, request, f("options", "Options", DICT, checkResultDict));

function isKind(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case ID: return isId(v);
    case INT: return isUint(v);
    case DICT: return isDict(v);
    default: return typeof v === "string"; // STR, URI
  }
}

function lookup(code: unknown): Layout {
  const l = typeof code === "number" ? LAYOUTS[code] : undefined;
  if (l === undefined) throw new ProtocolViolation(`unknown message type ${String(code)}`);
  return l;
}

/** Wire array → validated Message. Throws ProtocolViolation naming the message and element. */
export function fromArray(arr: unknown): Message {
  // CALL and YIELD are most of what a router reads under RPC load: decode them with a fixed
  // object shape and no layout walk. Anything unusual falls through to the generic walk,
  // which produces the same Message or throws the same error.
  if (Array.isArray(arr)) {
    const code = arr[0];
    if (code === T.CALL) {
      const m = fastCall(arr);
      if (m !== undefined) return m;
    } else if (code === T.YIELD) {
      const m = fastYield(arr);
      if (m !== undefined) return m;
    }
  }
  return fromArrayGeneric(arr);
}

const CALL_LAYOUT = LAYOUTS[T.CALL]!;
const YIELD_LAYOUT = LAYOUTS[T.YIELD]!;
const CALL_OPTIONS_WHERE = CALL_LAYOUT.fields[1].where!;
const YIELD_OPTIONS_WHERE = YIELD_LAYOUT.fields[1].where!;

/** [CALL, Request|id, Options|dict, Procedure|uri, Arguments?, ArgumentsKw?]; undefined: take the generic path. */
function fastCall(arr: unknown[]): Message | undefined {
  const n = arr.length;
  if (n < 4 || n > 6) return undefined;
  const request = arr[1], options = arr[2], procedure = arr[3];
  if (!isId(request) || !isDict(options) || typeof procedure !== "string") return undefined;
  checkCallOptions(options, CALL_OPTIONS_WHERE);
  const msg: Record<string, unknown> = { type: T.CALL, request, options, procedure };
  if (n > 4) decodePayload(CALL_LAYOUT, arr, 4, msg);
  return msg as unknown as Message;
}

/** [YIELD, INVOCATION.Request|id, Options|dict, Arguments?, ArgumentsKw?]; undefined: take the generic path. */
function fastYield(arr: unknown[]): Message | undefined {
  const n = arr.length;
  if (n < 3 || n > 5) return undefined;
  const request = arr[1], options = arr[2];
  if (!isId(request) || !isDict(options)) return undefined;
  checkResultDict(options, YIELD_OPTIONS_WHERE);
  const msg: Record<string, unknown> = { type: T.YIELD, request, options };
  if (n > 3) decodePayload(YIELD_LAYOUT, arr, 3, msg);
  return msg as unknown as Message;
}

function fromArrayGeneric(arr: unknown): Message {
  if (!Array.isArray(arr)) throw new ProtocolViolation("a WAMP message must be a list");
  if (arr.length === 0) throw new ProtocolViolation("a WAMP message must not be empty");
  const l = lookup(arr[0]);
  const n = arr.length;
  const fields = l.fields;
  const max = 1 + fields.length + (l.payload === NONE ? 0 : 2);
  if (n < 1 + l.required) {
    throw new ProtocolViolation(`${l.name} has too few elements (${n}, expected at least ${1 + l.required})`);
  }
  if (n > max) throw new ProtocolViolation(`${l.name} has too many elements (${n}, expected at most ${max})`);
  const msg: Record<string, unknown> = { type: arr[0] };
  const end = Math.min(n, 1 + fields.length);
  for (let i = 1; i < end; i++) {
    const field = fields[i - 1];
    const v = arr[i];
    if (!isKind(field.kind, v)) {
      throw new ProtocolViolation(`${field.where} must be ${KIND_TEXT[field.kind]}`);
    }
    if (field.check !== undefined) field.check(v as Dict, field.where!);
    msg[field.key] = v;
  }
  if (n > 1 + fields.length) decodePayload(l, arr, 1 + fields.length, msg);
  return msg as unknown as Message;
}

function decodePayload(l: Layout, arr: unknown[], at: number, msg: Record<string, unknown>): void {
  const args = arr[at];
  let binary = false;
  if (Array.isArray(args)) {
    msg.args = args;
  } else if (args instanceof Uint8Array && l.payload === ARGS_OR_BINARY) {
    // Payload passthru / E2EE: one opaque binary in the Arguments position.
    binary = true;
    msg.payload = args;
  } else {
    throw new ProtocolViolation(`${l.name}.Arguments must be a list`);
  }
  if (arr.length > at + 1) {
    const kwargs = arr[at + 1];
    if (!isDict(kwargs)) throw new ProtocolViolation(`${l.name}.ArgumentsKw must be a dict`);
    if (!binary) msg.kwargs = kwargs;
    // Spec "Payload Passthru Mode": ArgumentsKw MUST be absent or empty.
    else if (hasKeys(kwargs)) throw new ProtocolViolation(`${l.name}.ArgumentsKw must be empty with a binary payload`);
  }
}

/**
 * Message → wire array. Trusts the message's types (it comes from our own code) but not its
 * shape: fields are read by the layout, extra properties are ignored. Empty trailing
 * ArgumentsKw is dropped, and Arguments too when both are empty (spec "Empty Arguments and
 * Keyword Arguments"); `[]` stands in for Arguments when only ArgumentsKw is present.
 */
export function toArray(msg: Message): unknown[] {
  const m = msg as unknown as Record<string, unknown>;
  // RESULT and INVOCATION are most of what a router writes under RPC load: their elements are
  // all required, so the array is built directly (same output as the layout walk below).
  const type = msg.type;
  if (type === T.RESULT) return pushTail([type, m.request, m.details], m, tailOf(m, ARGS_OR_BINARY));
  if (type === T.INVOCATION) {
    return pushTail([type, m.request, m.registration, m.details], m, tailOf(m, ARGS_OR_BINARY));
  }
  const l = lookup(type);
  const out: unknown[] = [msg.type];
  const fields = l.fields;
  const tail = l.payload === NONE ? NO_TAIL : tailOf(m, l.payload);
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    let v = m[field.key];
    if (v === undefined && field.optional) {
      // A missing optional dict is only written when something follows it.
      if (tail === NO_TAIL) break;
      v = {};
    }
    out.push(v);
  }
  return pushTail(out, m, tail);
}

const NO_TAIL = 0, BINARY_TAIL = 1, ARGS_TAIL = 2, KWARGS_TAIL = 3;

/** Appends the payload elements `tail` (from tailOf) calls for. */
function pushTail(out: unknown[], m: Record<string, unknown>, tail: number): unknown[] {
  switch (tail) {
    case BINARY_TAIL: out.push(m.payload); break;
    case ARGS_TAIL: out.push(m.args); break;
    case KWARGS_TAIL: out.push(m.args ?? [], m.kwargs); break;
  }
  return out;
}

function tailOf(m: Record<string, unknown>, payload: Layout["payload"]): number {
  if (payload === ARGS_OR_BINARY && m.payload !== undefined) return BINARY_TAIL;
  const kwargs = m.kwargs as Dict | undefined;
  if (kwargs !== undefined && hasKeys(kwargs)) return KWARGS_TAIL;
  const args = m.args as unknown[] | undefined;
  return args !== undefined && args.length > 0 ? ARGS_TAIL : NO_TAIL;
}
