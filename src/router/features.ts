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
        // publication_trustlevels is not announced: no trust level configuration exists yet.
      },
    },
    dealer: {
      features: {},
    },
  };
}

/** Client roles the router understands in HELLO.Details.roles. */
export const CLIENT_ROLES = ["caller", "callee", "publisher", "subscriber"] as const;
