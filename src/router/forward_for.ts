import type { Session } from "./session.ts";

/**
 * WAMP "Router-to-Router Links": CALL/PUBLISH.Options.forward_for lists the sessions a request
 * is made on behalf of; the router passes it on in INVOCATION/EVENT.Details.forward_for.
 * Only router-internal sessions and edge link channels (themselves authenticated and
 * authorized on this realm) may vouch for others; from any other client the list is dropped,
 * so a client cannot make a callee or subscriber believe it is someone else.
 */
export function mayForward(s: Session): boolean {
  return s.internal || s.peer.details.transport === "edge";
}
