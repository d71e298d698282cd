import { Errors } from "../wamp/errors.ts";
import type { Realm } from "./realm.ts";
import type { RegistrationView } from "./realm_events.ts";
import {
  idArg, kwarg, type MetaCall, MetaError, type MetaProcedures, matchOption, optionalDictArg, stringArg,
} from "./meta_procedure.ts";

/** The dealer's meta view, once the dealer provides one (until then: no registration meta API). */
export function registrationView(realm: Realm): RegistrationView | undefined {
  const v = realm.dealer as unknown as Partial<RegistrationView>;
  return typeof v.callees === "function" && typeof v.revoke === "function" ? v as RegistrationView : undefined;
}

/**
 * Spec "Registration Meta API": wamp.registration.list|lookup|match|get|list_callees|
 * count_callees, plus wamp.registration.remove (not in the spec's list; it exposes "Registration
 * Revocation" to administrators: remove(registration, [callee]), ArgumentsKw.reason).
 * Registrations held only by router-internal sessions (the meta procedures themselves) are
 * not shown, so the API describes the application's registrations.
 */
export function registrationProcedures(realm: Realm): MetaProcedures {
  const view = registrationView(realm);
  if (!view) return {};
  const clientsOf = (id: number): number[] | undefined => {
    const callees = view.callees(id);
    if (!callees) return undefined;
    const out = callees.filter((s) => !realm.sessions.get(s)?.internal);
    return out.length > 0 ? out : undefined;
  };
  const visible = (id: number | undefined): number | null => id !== undefined && clientsOf(id) ? id : null;
  const callees = (call: MetaCall): number[] => {
    const id = idArg(call, 0, "registration");
    const ids = clientsOf(id);
    if (!ids) throw new MetaError(Errors.NO_SUCH_REGISTRATION, `no registration ${id} on this realm`);
    return ids;
  };
  return {
    "wamp.registration.list": () => {
      const all = view.list();
      const keep = (ids: number[]) => ids.filter((id) => visible(id) !== null);
      return { args: [{ exact: keep(all.exact), prefix: keep(all.prefix), wildcard: keep(all.wildcard) }] };
    },
    "wamp.registration.lookup": (call) => {
      const uri = stringArg(call, 0, "procedure");
      return { args: [visible(view.lookup(uri, matchOption(optionalDictArg(call, 1, "options"))))] };
    },
    "wamp.registration.match": (call) => ({ args: [visible(view.match(stringArg(call, 0, "procedure")))] }),
    "wamp.registration.get": (call) => {
      callees(call);
      return { args: [{ ...view.get(idArg(call, 0, "registration"))! }] };
    },
    "wamp.registration.list_callees": (call) => ({ args: [callees(call)] }),
    "wamp.registration.count_callees": (call) => ({ args: [callees(call).length] }),
    "wamp.registration.remove": (call) => {
      const ids = callees(call);
      const registration = idArg(call, 0, "registration");
      const callee = call.args[1] === undefined || call.args[1] === null ? undefined : idArg(call, 1, "callee");
      if (callee !== undefined && !ids.includes(callee)) {
        throw new MetaError(Errors.NO_SUCH_SESSION, `session ${callee} is not a callee of registration ${registration}`);
      }
      view.revoke(registration, callee, kwarg(call, "reason", "string"));
      return undefined;
    },
  };
}
