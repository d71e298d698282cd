import type { Dict } from "./messages.ts";
import {
  expectBool, expectDict, expectId, expectIdList, expectOneOf, expectString, expectStringList,
  expectUint, fail, isDict, isId,
} from "./_value_checks.ts";

/**
 * Type checks for the known keys of Options/Details/Extra dicts, one function per dict. Each
 * walks only the keys present (`for…in` + `switch`), so the usual empty dict costs nothing;
 * unknown keys pass untouched (spec "Extensibility": unknown attributes MUST be ignored).
 * A key whose value is `undefined` counts as absent: wampy's msgpackr sends unset options that
 * way, where JSON would simply drop them.
 * `where` names the dict in error texts, e.g. "PUBLISH.Options".
 */
export type DictCheck = (d: Dict, where: string) => void;

const MATCH = ["exact", "prefix", "wildcard"] as const;
// Spec "Shared Registration": REGISTER.Options.invoke
const INVOKE = ["single", "roundrobin", "random", "first", "last"] as const;
// Spec "Call Canceling": CANCEL.Options.mode; INTERRUPT carries the mode the dealer applied.
const CANCEL_MODE = ["skip", "kill", "killnowait"] as const;
// Autobahn's payload transparency (enc_*), used by the test vectors; "x_…" is the custom range.
const ENC_ALGO = ["cryptobox", "mqtt", "xbr"] as const;
const ENC_SERIALIZER = ["json", "msgpack", "cbor", "ubjson", "flatbuffers", "opaque"] as const;
// Spec "Payload Passthru Mode": predefined ppt_scheme tables.
const PPT_WAMP_SERIALIZER = ["cbor", "flatbuffers"] as const;
const PPT_WAMP_CIPHER = ["xsalsa20poly1305", "aes256gcm"] as const;
const PPT_MQTT_SERIALIZER = ["native", "json", "msgpack", "cbor"] as const;

/** WAMP "Router-to-Router Links": forward_for is a list of {session, authid, authrole}. */
function checkForwardFor(v: unknown, where: string): void {
  if (!Array.isArray(v)) fail(where, "forward_for", "a list of {session, authid, authrole} dicts");
  for (let i = 0; i < v.length; i++) {
    const hop = v[i];
    if (!isDict(hop) || !isId(hop.session) || typeof hop.authid !== "string" ||
      typeof hop.authrole !== "string") {
      fail(where, "forward_for", "a list of {session, authid, authrole} dicts");
    }
  }
}

function expectIdentifier(v: unknown, allowed: readonly string[], where: string, key: string): void {
  // Standard identifiers, or custom ones in the "x_" range.
  if (typeof v === "string" && v.startsWith("x_")) return;
  expectOneOf(v, allowed, where, key);
}

/**
 * Payload transparency keys, shared by every message that carries a payload. Returns false for
 * a key it does not know so the caller can fall through to its own `default`.
 */
function checkPayloadKey(k: string, v: unknown, where: string): boolean {
  switch (k) {
    case "enc_algo": expectIdentifier(v, ENC_ALGO, where, k); return true;
    case "enc_serializer": expectIdentifier(v, ENC_SERIALIZER, where, k); return true;
    case "enc_key": case "ppt_serializer": case "ppt_cipher": case "ppt_keyid":
      expectString(v, where, k); return true;
    case "ppt_scheme":
      // "wamp" and "mqtt" are predefined; custom schemes use the "x_" prefix.
      if (v !== "wamp" && v !== "mqtt" && !(typeof v === "string" && v.startsWith("x_"))) {
        fail(where, k, "wamp, mqtt or a custom x_… scheme");
      }
      return true;
    case "forward_for": checkForwardFor(v, where); return true;
    default: return false;
  }
}

/** Spec "Payload Passthru Mode" predefined schemes constrain ppt_serializer / ppt_cipher. */
function checkPptScheme(d: Dict, where: string): void {
  const scheme = d.ppt_scheme;
  if (scheme === "wamp") {
    expectOneOf(d.ppt_serializer, PPT_WAMP_SERIALIZER, where, "ppt_serializer");
    if (d.ppt_cipher !== undefined) expectOneOf(d.ppt_cipher, PPT_WAMP_CIPHER, where, "ppt_cipher");
  } else if (scheme === "mqtt" && d.ppt_serializer !== undefined) {
    expectOneOf(d.ppt_serializer, PPT_MQTT_SERIALIZER, where, "ppt_serializer");
  }
}

export const checkPublishOptions: DictCheck = (d, where) => {
  for (const k in d) {
    const v = d[k];
    if (v === undefined) continue;
    switch (k) {
      // "Publisher Exclusion", "Publisher Identification", "Event Retention", acknowledge
      case "acknowledge": case "exclude_me": case "disclose_me": case "retain":
        expectBool(v, where, k); break;
      // "Subscriber Black- and Whitelisting"
      case "exclude": case "eligible": expectIdList(v, where, k); break;
      case "exclude_authid": case "exclude_authrole": case "eligible_authid": case "eligible_authrole":
        expectStringList(v, where, k); break;
      case "transaction_hash": case "rkey": expectString(v, where, k); break;
      default: checkPayloadKey(k, v, where);
    }
  }
  if (d.ppt_scheme !== undefined) checkPptScheme(d, where);
};

export const checkEventDetails: DictCheck = (d, where) => {
  for (const k in d) {
    const v = d[k];
    if (v === undefined) continue;
    switch (k) {
      case "publisher": expectId(v, where, k); break; // "Publisher Identification"
      case "publisher_authid": case "publisher_authrole": case "topic": case "transaction_hash":
        expectString(v, where, k); break;
      case "retained": case "x_acknowledged_delivery": expectBool(v, where, k); break;
      case "trustlevel": expectUint(v, where, k); break;
      default: checkPayloadKey(k, v, where);
    }
  }
  if (d.ppt_scheme !== undefined) checkPptScheme(d, where);
};

export const checkSubscribeOptions: DictCheck = (d, where) => {
  for (const k in d) {
    const v = d[k];
    if (v === undefined) continue;
    switch (k) {
      case "match": expectOneOf(v, MATCH, where, k); break; // "Pattern-based Subscription"
      case "get_retained": expectBool(v, where, k); break; // "Event Retention"
      case "nkey": expectString(v, where, k); break;
      case "forward_for": checkForwardFor(v, where); break;
    }
  }
};

export const checkRegisterOptions: DictCheck = (d, where) => {
  for (const k in d) {
    const v = d[k];
    if (v === undefined) continue;
    switch (k) {
      case "match": expectOneOf(v, MATCH, where, k); break; // "Pattern-based Registration"
      case "invoke": expectOneOf(v, INVOKE, where, k); break; // "Shared Registration"
      case "disclose_caller": case "forward_timeout": case "force_reregister":
        expectBool(v, where, k); break;
      case "concurrency": expectUint(v, where, k); break;
      case "forward_for": checkForwardFor(v, where); break;
    }
  }
};

export const checkCallOptions: DictCheck = (d, where) => {
  for (const k in d) {
    const v = d[k];
    if (v === undefined) continue;
    switch (k) {
      case "timeout": expectUint(v, where, k); break; // "Call Timeouts", milliseconds
      case "receive_progress": case "progress": case "disclose_me": expectBool(v, where, k); break;
      case "runmode": case "rkey": case "transaction_hash": expectString(v, where, k); break;
      default: checkPayloadKey(k, v, where);
    }
  }
  if (d.ppt_scheme !== undefined) checkPptScheme(d, where);
};

export const checkInvocationDetails: DictCheck = (d, where) => {
  for (const k in d) {
    const v = d[k];
    if (v === undefined) continue;
    switch (k) {
      case "caller": expectId(v, where, k); break; // "Caller Identification"
      case "caller_authid": case "caller_authrole": case "procedure": case "transaction_hash":
        expectString(v, where, k); break;
      case "receive_progress": case "progress": expectBool(v, where, k); break;
      case "timeout": case "trustlevel": expectUint(v, where, k); break;
      default: checkPayloadKey(k, v, where);
    }
  }
  if (d.ppt_scheme !== undefined) checkPptScheme(d, where);
};

/** YIELD.Options and RESULT.Details: progressive results plus payload transparency. */
export const checkResultDict: DictCheck = (d, where) => {
  for (const k in d) {
    const v = d[k];
    if (v === undefined) continue;
    if (k === "progress") expectBool(v, where, k);
    else checkPayloadKey(k, v, where);
  }
  if (d.ppt_scheme !== undefined) checkPptScheme(d, where);
};

export const checkErrorDetails: DictCheck = (d, where) => {
  for (const k in d) if (d[k] !== undefined) checkPayloadKey(k, d[k], where);
  if (d.ppt_scheme !== undefined) checkPptScheme(d, where);
};

/** CANCEL.Options and INTERRUPT.Options. */
export const checkCancelOptions: DictCheck = (d, where) => {
  for (const k in d) {
    const v = d[k];
    if (v === undefined) continue;
    switch (k) {
      case "mode": expectOneOf(v, CANCEL_MODE, where, k); break;
      case "reason": expectString(v, where, k); break;
      case "forward_for": checkForwardFor(v, where); break;
    }
  }
};

/** HELLO.Details and WELCOME.Details: the session's roles and authentication facts. */
export const checkSessionDetails: DictCheck = (d, where) => {
  // Spec "HELLO"/"WELCOME": both MUST announce roles.
  if (!isDict(d.roles)) fail(where, "roles", "a dict");
  for (const k in d) {
    const v = d[k];
    if (v === undefined) continue;
    switch (k) {
      case "authmethods": expectStringList(v, where, k); break;
      case "authid": case "authrole": case "authmethod": case "authprovider": case "agent":
        expectString(v, where, k); break;
      case "authextra": expectDict(v, where, k); break;
    }
  }
};

/** ABORT.Details and GOODBYE.Details. */
export const checkCloseDetails: DictCheck = (d, where) => {
  if (d.message !== undefined) expectString(d.message, where, "message");
};

/** UNREGISTERED/UNSUBSCRIBED.Details (spec "Registration/Subscription Revocation"). */
export const checkRevocationDetails: DictCheck = (d, where) => {
  for (const k in d) {
    const v = d[k];
    if (v === undefined) continue;
    switch (k) {
      case "registration": case "subscription": expectId(v, where, k); break;
      case "reason": expectString(v, where, k); break;
    }
  }
};
