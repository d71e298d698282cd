import type { Dict } from "../wamp/messages.ts";
import type { Session } from "./session.ts";

/** Whether a subscriber may receive a publication (WAMP "Subscriber Black- and Whitelisting"). */
export type PublicationFilter = (subscriber: Session) => boolean;

/**
 * Builds the receiver filter of a PUBLISH from its Options, or undefined when none of the six
 * lists is present (the common case: no Set is built and the fan-out tests nothing).
 * Whitelists intersect and blacklists subtract: a subscriber receives the event only if it is
 * in every eligible* list present and in no exclude* list present (spec rules 1–6).
 * The codec has already checked the lists' element types.
 */
export function publicationFilter(options: Dict): PublicationFilter | undefined {
  const { eligible, exclude, eligible_authid, exclude_authid, eligible_authrole, exclude_authrole } = options;
  if (
    eligible === undefined && exclude === undefined && eligible_authid === undefined &&
    exclude_authid === undefined && eligible_authrole === undefined && exclude_authrole === undefined
  ) return undefined;
  const inIds = toSet(eligible as number[] | undefined);
  const outIds = toSet(exclude as number[] | undefined);
  const inAuthids = toSet(eligible_authid as string[] | undefined);
  const outAuthids = toSet(exclude_authid as string[] | undefined);
  const inRoles = toSet(eligible_authrole as string[] | undefined);
  const outRoles = toSet(exclude_authrole as string[] | undefined);
  return (s) =>
    // WAMP "Subscriber Black- and Whitelisting": eligible, eligible_authid, eligible_authrole
    (!inIds || inIds.has(s.id)) && (!inAuthids || inAuthids.has(s.authid)) && (!inRoles || inRoles.has(s.authrole)) &&
    // ... and exclude, exclude_authid, exclude_authrole
    !(outIds?.has(s.id)) && !(outAuthids?.has(s.authid)) && !(outRoles?.has(s.authrole));
}

/** Whether the publication names receivers by session id (Event History must not store those). */
export function hasSessionLists(options: Dict): boolean {
  return options.eligible !== undefined || options.exclude !== undefined;
}

function toSet<T>(list: T[] | undefined): Set<T> | undefined {
  return list === undefined ? undefined : new Set(list);
}
