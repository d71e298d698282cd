import type { Dict } from "../wamp/messages.ts";

/**
 * The roles and features announced in WELCOME.Details.roles. Only what this router really
 * implements and tests is listed: a client relies on these flags to decide what it may use.
 */
export function routerRoles(): Dict {
  return {
    broker: {
      features: {
        // Honoured by Broker.publish (exclude_me: false delivers to the publisher too).
        publisher_exclusion: true,
        // Broker + SubscriptionTable (UriMatcher): prefix/wildcard, EVENT.Details.topic.
        pattern_based_subscription: true,
        // publication_filter.ts: eligible/exclude by session id, authid, authrole.
        subscriber_blackwhite_listing: true,
        // disclose_me → EVENT.Details.publisher, publisher_authid, publisher_authrole.
        publisher_identification: true,
        // Broker.revoke: [UNSUBSCRIBED, 0, {subscription, reason}] to subscribers announcing it.
        subscription_revocation: true,
        // retention.ts: retain / get_retained, bounded per realm (maxTopics, ttlMs).
        event_retention: true,
        // event_history.ts: realm eventHistory rules, read through wamp.subscription.get_events.
        event_history: true,
        // trust_levels.ts: EVENT.Details.trustlevel from the realm's trustLevels by publisher authrole.
        publication_trustlevels: true,
        // meta_session_procedures.ts + meta_events.ts; the spec wants it on both roles.
        session_meta_api: true,
        // meta_subscription_procedures.ts + the subscription table's realm events.
        subscription_meta_api: true,
      },
    },
    dealer: {
      features: {
        // registry.ts + invocation_policy.ts: single|roundrobin|random|first|last|
        // jump_consistent_hash|queue_least_loaded.
        shared_registration: true,
        // Registry's UriMatcher: prefix/wildcard, INVOCATION.Details.procedure.
        pattern_based_registration: true,
        // Dealer.startTimer (realm default/maximum) and forward_timeout to callees announcing it.
        call_timeout: true,
        // Dealer.cancel: skip|kill|killnowait. The chapter spells it call_canceling; the
        // progressive-invocations chapter (and some clients) call_cancelling: announce both.
        call_canceling: true,
        call_cancelling: true,
        // Dealer.yield: YIELD.Options.progress → RESULT.Details.progress.
        progressive_call_results: true,
        // Dealer.continueStream: repeated CALL request ids into one INVOCATION stream.
        progressive_call_invocations: true,
        // invocation_details.ts: disclose_me / disclose_caller.
        caller_identification: true,
        // Registry.revoke: [UNREGISTERED, 0, {registration, reason}].
        registration_revocation: true,
        // Dealer.reroute: wamp.error.unavailable → next callee, then no_available_callee.
        call_reroute: true,
        // invocation_details.ts copyPpt: ppt_* options and the binary payload untouched.
        payload_passthru_mode: true,
        // trust_levels.ts: INVOCATION.Details.trustlevel from the realm's trustLevels by caller authrole.
        call_trustlevels: true,
        // meta_session_procedures.ts + meta_events.ts; the spec wants it on both roles.
        session_meta_api: true,
        // meta_registration_procedures.ts + the registry's realm events.
        registration_meta_api: true,
        // meta_testament_procedures.ts over the broker's testaments (the spec puts the flag on the dealer).
        testament_meta_api: true,
      },
    },
  };
}

/** Client roles the router understands in HELLO.Details.roles. */
export const CLIENT_ROLES = ["caller", "callee", "publisher", "subscriber"] as const;
