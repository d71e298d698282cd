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
      },
    },
    dealer: {
      features: {},
    },
  };
}

/** Client roles the router understands in HELLO.Details.roles. */
export const CLIENT_ROLES = ["caller", "callee", "publisher", "subscriber"] as const;
