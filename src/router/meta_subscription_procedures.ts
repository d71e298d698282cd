import { Errors } from "../wamp/errors.ts";
import type { Realm } from "./realm.ts";
import type { SubscriptionView } from "./realm_events.ts";
import type { Session } from "./session.ts";
import {
  idArg, kwarg, type MetaCall, MetaError, type MetaProcedures, matchOption, optionalDictArg, stringArg,
} from "./meta_procedure.ts";
import { filterHistory } from "./meta_event_history.ts";

/** The broker's meta view, once the broker provides one (until then: no subscription meta API). */
export function subscriptionView(realm: Realm): SubscriptionView | undefined {
  const v = realm.broker as unknown as Partial<SubscriptionView>;
  return typeof v.subscribers === "function" && typeof v.revoke === "function" ? v as SubscriptionView : undefined;
}

/**
 * Spec "Subscriptions Meta API": wamp.subscription.list|lookup|match|get|list_subscribers|
 * count_subscribers; spec "Event History": wamp.subscription.get_events; plus
 * wamp.subscription.remove(subscription, [subscriber]) with ArgumentsKw.reason, the
 * administrator's side of "Subscription Revocation". Subscriptions held only by
 * router-internal sessions are not shown.
 */
export function subscriptionProcedures(realm: Realm): MetaProcedures {
  const view = subscriptionView(realm);
  if (!view) return {};
  const clientsOf = (id: number): number[] | undefined => {
    const subscribers = view.subscribers(id);
    if (!subscribers) return undefined;
    const out = subscribers.filter((s) => !realm.sessions.get(s)?.internal);
    return out.length > 0 ? out : undefined;
  };
  const isVisible = (id: number) => clientsOf(id) !== undefined;
  const subscribers = (call: MetaCall): number[] => {
    const id = idArg(call, 0, "subscription");
    const ids = clientsOf(id);
    if (!ids) throw new MetaError(Errors.NO_SUCH_SUBSCRIPTION, `no subscription ${id} on this realm`);
    return ids;
  };
  return {
    "wamp.subscription.list": () => {
      const all = view.list();
      const keep = (ids: number[]) => ids.filter(isVisible);
      return { args: [{ exact: keep(all.exact), prefix: keep(all.prefix), wildcard: keep(all.wildcard) }] };
    },
    "wamp.subscription.lookup": (call) => {
      const id = view.lookup(stringArg(call, 0, "topic"), matchOption(optionalDictArg(call, 1, "options")));
      return { args: [id !== undefined && isVisible(id) ? id : null] };
    },
    "wamp.subscription.match": (call) => {
      const ids = view.match(stringArg(call, 0, "topic")).filter(isVisible);
      // Spec: "(Nullable) subscription_ids|list": null when nothing matches.
      return { args: [ids.length > 0 ? ids : null] };
    },
    "wamp.subscription.get": (call) => {
      subscribers(call);
      return { args: [{ ...view.get(idArg(call, 0, "subscription"))! }] };
    },
    "wamp.subscription.list_subscribers": (call) => ({ args: [subscribers(call)] }),
    "wamp.subscription.count_subscribers": (call) => ({ args: [subscribers(call).length] }),
    "wamp.subscription.remove": (call) => {
      const ids = subscribers(call);
      const subscription = idArg(call, 0, "subscription");
      const subscriber = call.args[1] === undefined || call.args[1] === null ? undefined : idArg(call, 1, "subscriber");
      if (subscriber !== undefined && !ids.includes(subscriber)) {
        throw new MetaError(Errors.NO_SUCH_SESSION, `session ${subscriber} is not a subscriber of subscription ${subscription}`);
      }
      view.revoke(subscription, subscriber, kwarg(call, "reason", "string"));
      return undefined;
    },
    "wamp.subscription.get_events": (call) => {
      const id = idArg(call, 0, "subscription");
      if (!view.get(id)) throw new MetaError(Errors.NO_SUCH_SUBSCRIPTION, `no subscription ${id} on this realm`);
      // Spec "Event History", Security Aspects: the broker drops events the caller could not
      // have received (eligible/exclude by authid/authrole), so it is told who reads.
      const history = view.history as (id: number, limit?: number, reader?: Session) => ReturnType<SubscriptionView["history"]>;
      const events = history.call(view, id, undefined, realm.sessions.get(call.caller));
      if (!events) throw new MetaError(Errors.INVALID_ARGUMENT, `no event history is kept for the topic of subscription ${id}`);
      return { args: [filterHistory(events, call)] };
    },
  };
}
