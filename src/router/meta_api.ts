import type { Peer } from "../wamp/peer.ts";
import type { Realm } from "./realm.ts";
import { metaEventListener } from "./meta_events.ts";
import { InternalService } from "./internal_service.ts";
import { sessionProcedures } from "./meta_session_procedures.ts";
import { registrationProcedures } from "./meta_registration_procedures.ts";
import { subscriptionProcedures } from "./meta_subscription_procedures.ts";
import { testamentProcedures } from "./meta_testament_procedures.ts";

/** Makes an in-memory peer pair (the composition root passes transport's `linkedPeers`). */
export type LinkPeers = () => [Peer, Peer];

/**
 * WAMP "Meta API": one router-internal session per realm. It joins over an in-memory peer pair
 * like any client (authrole "trusted", may use the reserved `wamp.` namespace), registers the
 * meta procedures and publishes the meta events it learns from `realm.events`. Going through
 * the dealer and broker (not around them) keeps one code path for delivery and for the later
 * cluster, which must see the same registrations and publications.
 */
export function startMetaApi(realm: Realm, linkPeers: LinkPeers, attachInternal: (peer: Peer) => void): void {
  const [client, routerSide] = linkPeers();
  attachInternal(routerSide);
  /** Raised by wamp.session.kill_all, which must not produce session meta events. */
  const quiet = { on: false };
  let stopListening: () => void = () => {};
  const service: InternalService = new InternalService(client, {
    realm: realm.name,
    authid: "causeway.meta",
    procedures: {
      ...sessionProcedures(realm, quiet),
      ...testamentProcedures(realm),
      ...registrationProcedures(realm),
      ...subscriptionProcedures(realm),
    },
    onJoin: () => {
      stopListening = realm.events.add(metaEventListener((topic, args) => service.publish(topic, args), quiet));
    },
    onLeave: () => stopListening(),
  });
  service.start();
}
