// Public surface of src/rbac: authorization (grants, groups, sources, prototype realms).
export { createRbac, type Rbac, SessionAuthorizer } from "./rbac.ts";
export { type Decision, RealmPolicy } from "./policy.ts";
export type { Principals, SessionIdentity } from "./principals.ts";
export { effectiveRealm, type RealmView } from "./realm_view.ts";
export { expandGroups, groupCycle, RESERVED_GROUPS, validateGroup, validateUserGroups } from "./groups.ts";
export { selectSource, validateSource } from "./sources.ts";
export { PERMISSIONS, validateGrant, validatePrincipal } from "./grants.ts";
export { type Cidr, cidrContains, parseCidr, parseIp } from "./cidr.ts";
