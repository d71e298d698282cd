import type { RealmListener } from "./realm_events.ts";
import { sessionInfo } from "./meta_session_procedures.ts";

/**
 * Turns realm lifecycle events into the meta events of the spec's "Session Meta API",
 * "Registration Meta API" and "Subscription Meta API" chapters. The realm fires them in the
 * order the spec requires (on_create before on_register, on_unregister before on_delete, a
 * leaving session's unregister/unsubscribe events before its on_leave); we publish in the
 * order we are told. Nothing is published about router-internal sessions (this meta session
 * included), and nothing while `quiet.on` (wamp.session.kill_all).
 */
export function metaEventListener(publish: (topic: string, args: unknown[]) => void, quiet: { on: boolean }): RealmListener {
  const emit = (internal: boolean, topic: string, args: unknown[]) => {
    if (!internal && !quiet.on) publish(topic, args);
  };
  return {
    sessionJoined: (s) => emit(s.internal, "wamp.session.on_join", [sessionInfo(s)]),
    sessionLeft: (s) => emit(s.internal, "wamp.session.on_leave", [s.id, s.authid, s.authrole]),
    registrationCreated: (s, d) => emit(s.internal, "wamp.registration.on_create", [s.id, { ...d }]),
    registered: (s, id) => emit(s.internal, "wamp.registration.on_register", [s.id, id]),
    unregistered: (s, id) => emit(s.internal, "wamp.registration.on_unregister", [s.id, id]),
    registrationDeleted: (s, id) => emit(s.internal, "wamp.registration.on_delete", [s.id, id]),
    subscriptionCreated: (s, d) => emit(s.internal, "wamp.subscription.on_create", [s.id, { ...d }]),
    subscribed: (s, id) => emit(s.internal, "wamp.subscription.on_subscribe", [s.id, id]),
    unsubscribed: (s, id) => emit(s.internal, "wamp.subscription.on_unsubscribe", [s.id, id]),
    subscriptionDeleted: (s, id) => emit(s.internal, "wamp.subscription.on_delete", [s.id, id]),
  };
}
