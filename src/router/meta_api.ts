import { MessageType as T } from "../wamp/message_type.ts";
import type { Dict, Invocation, Message } from "../wamp/messages.ts";
import type { Peer } from "../wamp/peer.ts";
import type { Realm } from "./realm.ts";
import { metaEventListener } from "./meta_events.ts";
import { MetaError, type MetaProcedures } from "./meta_procedure.ts";
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
  new MetaSession(realm, client).start();
}

class MetaSession {
  private request = 0;
  private readonly handlers = new Map<number, MetaProcedures[string]>();
  /** REGISTER request id → procedure, until REGISTERED names its registration id. */
  private readonly pending = new Map<number, string>();
  /** Raised by wamp.session.kill_all, which must not produce session meta events. */
  private readonly quiet = { on: false };
  private readonly procedures: MetaProcedures;
  private joined = false;
  private stopListening: () => void = () => {};

  constructor(private readonly realm: Realm, private readonly peer: Peer) {
    this.procedures = {
      ...sessionProcedures(realm, this.quiet),
      ...testamentProcedures(realm),
      ...registrationProcedures(realm),
      ...subscriptionProcedures(realm),
    };
  }

  start(): void {
    this.peer.onMessage = (msg) => this.onMessage(msg);
    this.peer.onClose = () => this.stopListening();
    this.peer.send({
      type: T.HELLO,
      realm: this.realm.name,
      details: { authid: "causeway.meta", roles: { callee: {}, publisher: {} } },
    });
  }

  private onMessage(msg: Message): void {
    switch (msg.type) {
      case T.WELCOME:
        this.joined = true;
        this.stopListening = this.realm.events.add(metaEventListener((topic, args) => this.publish(topic, args), this.quiet));
        for (const procedure of Object.keys(this.procedures)) {
          const request = ++this.request;
          this.pending.set(request, procedure);
          this.peer.send({ type: T.REGISTER, request, options: {}, procedure });
        }
        return;
      case T.REGISTERED: {
        const procedure = this.pending.get(msg.request);
        this.pending.delete(msg.request);
        if (procedure) this.handlers.set(msg.registration, this.procedures[procedure]);
        return;
      }
      case T.ERROR:
        // A refused REGISTER (cannot happen for the trusted meta session; keep the map clean).
        this.pending.delete(msg.request);
        return;
      case T.INVOCATION:
        return this.invoke(msg);
      case T.GOODBYE:
      case T.ABORT:
        this.stopListening();
        return;
    }
  }

  private invoke(msg: Invocation): void {
    const handler = this.handlers.get(msg.registration);
    const reply = (m: Message) => this.peer.send(m);
    if (!handler) return;
    const caller = typeof msg.details.caller === "number" ? msg.details.caller : 0;
    try {
      const result = handler({ args: msg.args ?? [], kwargs: msg.kwargs ?? {}, caller });
      reply({ type: T.YIELD, request: msg.request, options: {}, args: result?.args ?? [], kwargs: result?.kwargs });
    } catch (err) {
      const e = err instanceof MetaError ? err : new MetaError("wamp.error.runtime_error", String(err));
      reply({ type: T.ERROR, requestType: T.INVOCATION, request: msg.request, details: {}, error: e.uri, args: [e.message] });
    }
  }

  private publish(topic: string, args: unknown[]): void {
    if (!this.joined) return;
    this.peer.send({ type: T.PUBLISH, request: ++this.request, options: {} as Dict, topic, args });
  }
}
