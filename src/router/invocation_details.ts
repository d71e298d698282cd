import type { Call, Dict } from "../wamp/messages.ts";
import type { Session } from "./session.ts";
import type { PendingCall } from "./pending_call.ts";
import { mayForward } from "./forward_for.ts";

/**
 * INVOCATION.Details for a call: only the keys a feature asks for, so a plain call to an
 * exact registration still gets `{}`.
 */
export function invocationDetails(pc: PendingCall, forwardedTimeout: number | undefined, trustlevel?: number): Dict {
  const details: Dict = {};
  const options = pc.call.options;
  // WAMP "Pattern-based Registration": the callee learns which URI was called.
  if (pc.reg.match !== "exact") details.procedure = pc.procedure;
  // WAMP "Caller Identification": CALL.Options.disclose_me or REGISTER.Options.disclose_caller.
  // Router-internal callees (meta API) always learn who calls: procedures such as
  // wamp.session.add_testament act on the calling session.
  if (options.disclose_me === true || pc.entry.discloseCaller || pc.callee.internal) {
    details.caller = pc.caller.id;
    details.caller_authid = pc.caller.authid;
    details.caller_authrole = pc.caller.authrole;
  }
  // WAMP "Progressive Call Results"
  if (pc.receiveProgress) details.receive_progress = true;
  // WAMP "Progressive Call Invocations"
  if (pc.streaming) details.progress = true;
  if (forwardedTimeout !== undefined) details.timeout = forwardedTimeout;
  // WAMP "Call Trust Levels"
  if (trustlevel !== undefined) details.trustlevel = trustlevel;
  // WAMP "Router-to-Router Links" (edge bridge): forward_for names the original caller(s).
  if (options.forward_for !== undefined && mayForward(pc.caller)) details.forward_for = options.forward_for;
  copyPpt(options, details);
  return details;
}

/** WAMP "Payload Passthru Mode": ppt_* keys travel untouched (the codec validated them). */
export function copyPpt(from: Dict, to: Dict): void {
  if (from.ppt_scheme === undefined) return;
  to.ppt_scheme = from.ppt_scheme;
  if (from.ppt_serializer !== undefined) to.ppt_serializer = from.ppt_serializer;
  if (from.ppt_cipher !== undefined) to.ppt_cipher = from.ppt_cipher;
  if (from.ppt_keyid !== undefined) to.ppt_keyid = from.ppt_keyid;
}

/**
 * WAMP "Call Canceling": whether the callee announced it. The spec spells it call_canceling;
 * some clients (and the progressive-invocations chapter) write call_cancelling: accept both.
 */
export function canCancel(callee: Session): boolean {
  return callee.hasFeature("callee", "call_canceling") || callee.hasFeature("callee", "call_cancelling");
}

/**
 * WAMP "Call Timeouts": CALL.Options.timeout (ms; 0 or absent = none) or the realm default,
 * capped by the realm maximum (0 = no cap). A call without any timeout stays unbounded.
 */
export function callTimeoutMs(call: Call, realm: { defaultCallTimeoutMs?: number; maxCallTimeoutMs?: number }): number {
  const asked = call.options.timeout as number | undefined;
  let ms = asked !== undefined && asked > 0 ? asked : realm.defaultCallTimeoutMs ?? 0;
  const max = realm.maxCallTimeoutMs ?? 0;
  if (max > 0 && ms > max) ms = max;
  return ms;
}
