export { createRouter } from "./router.ts";
export type { RealmConfig, Router, RouterOptions } from "./router.ts";
export type { Realm } from "./realm.ts";
export type { Session } from "./session.ts";
export type { UriCheck } from "./uri_policy.ts";
