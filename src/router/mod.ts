export { createRouter } from "./router.ts";
export type { AttachOptions, RealmConfig, Router, RouterOptions } from "./router.ts";
export type { LinkPeers } from "./meta_api.ts";
export type { Realm } from "./realm.ts";
export type { Session } from "./session.ts";
export type { UriCheck } from "./uri_policy.ts";
export { RealmEvents } from "./realm_events.ts";
export type {
  RealmListener, RegistrationDetails, RegistrationView, SubscriptionDetails, SubscriptionView, Testament, TestamentScope,
} from "./realm_events.ts";
export { UriMatcher } from "./uri_matcher.ts";
export type { Match, MatchPolicy } from "./uri_matcher.ts";
export type { AdminApiOptions } from "./admin_api.ts";
