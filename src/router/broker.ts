import { MessageType as T } from "../wamp/message_type.ts";
import type { Event, Publish, Subscribe, Unsubscribe } from "../wamp/messages.ts";
import { Errors } from "../wamp/errors.ts";
import type { Counters } from "../util/counters.ts";
import type { Session } from "./session.ts";
import type { UriPolicy } from "./uri_policy.ts";
import { isReservedUri } from "../wamp/uri.ts";
import { errorReply } from "./replies.ts";

interface Subscription {
  id: number;
  topic: string;
  subscribers: Set<Session>;
}

export interface BrokerOptions {
  uris: UriPolicy;
  /** Subscription ids (router scope). */
  nextId: () => number;
  /** Publication ids (global scope: random). */
  publicationId: () => number;
  counters: Counters;
}

/**
 * Routes publications. One subscription id per topic, shared by every subscriber of it, so
 * one EVENT object serves all of them and each serializer encodes it once (the transport's
 * encode-once cache keys on the object).
 *
 * Basic Profile plus publisher exclusion; pattern-based subscriptions are refused with a clear
 * error until they are built.
 */
export class Broker {
  private readonly byTopic = new Map<string, Subscription>();
  private readonly byId = new Map<number, Subscription>();

  constructor(private readonly opts: BrokerOptions) {}

  get subscriptionCount(): number {
    return this.byId.size;
  }

  subscribe(session: Session, msg: Subscribe): void {
    const match = msg.options.match ?? "exact";
    if (match !== "exact") {
      session.send(errorReply(T.SUBSCRIBE, msg.request, Errors.INVALID_ARGUMENT, `pattern-based subscription (match "${match}") is not supported by this router`));
      return;
    }
    const uriProblem = this.opts.uris.check(msg.topic, "topic");
    if (uriProblem) {
      session.send(errorReply(T.SUBSCRIBE, msg.request, Errors.INVALID_URI, uriProblem));
      return;
    }
    let sub = this.byTopic.get(msg.topic);
    if (!sub) {
      sub = { id: this.opts.nextId(), topic: msg.topic, subscribers: new Set() };
      this.byTopic.set(sub.topic, sub);
      this.byId.set(sub.id, sub);
    }
    // Subscribing again to the same topic returns the existing subscription id.
    sub.subscribers.add(session);
    session.subscriptions.add(sub.id);
    session.send({ type: T.SUBSCRIBED, request: msg.request, subscription: sub.id });
  }

  unsubscribe(session: Session, msg: Unsubscribe): void {
    const sub = this.byId.get(msg.subscription);
    if (!sub || !sub.subscribers.has(session)) {
      session.send(errorReply(T.UNSUBSCRIBE, msg.request, Errors.NO_SUCH_SUBSCRIPTION, `no subscription ${msg.subscription} held by this session`));
      return;
    }
    this.leave(sub, session);
    session.send({ type: T.UNSUBSCRIBED, request: msg.request });
  }

  publish(publisher: Session, msg: Publish): void {
    const acknowledge = msg.options.acknowledge === true;
    const problem = this.opts.uris.check(msg.topic, "topic") ??
      (!publisher.internal && isReservedUri(msg.topic) ? `"${msg.topic}" is in the reserved "wamp." namespace` : undefined);
    if (problem) {
      // Without acknowledge the publisher expects no answer at all, errors included.
      if (acknowledge) publisher.send(errorReply(T.PUBLISH, msg.request, Errors.INVALID_URI, problem));
      this.opts.counters.inc("publications_refused");
      return;
    }
    const publication = this.opts.publicationId();
    this.opts.counters.inc("publications");
    const sub = this.byTopic.get(msg.topic);
    if (sub) {
      // WAMP "Publisher Exclusion": the publisher gets no copy unless exclude_me is false.
      const excludeMe = msg.options.exclude_me !== false;
      const event: Event = {
        type: T.EVENT,
        subscription: sub.id,
        publication,
        details: {},
        args: msg.args,
        kwargs: msg.kwargs,
        payload: msg.payload,
      };
      let delivered = 0;
      for (const subscriber of sub.subscribers) {
        if (excludeMe && subscriber === publisher) continue;
        if (subscriber.send(event)) delivered++;
      }
      this.opts.counters.inc("events", delivered);
    }
    if (acknowledge) publisher.send({ type: T.PUBLISHED, request: msg.request, publication });
  }

  sessionLeft(session: Session): void {
    for (const id of session.subscriptions) {
      const sub = this.byId.get(id);
      if (sub) this.leave(sub, session);
    }
    session.subscriptions.clear();
  }

  private leave(sub: Subscription, session: Session): void {
    sub.subscribers.delete(session);
    session.subscriptions.delete(sub.id);
    if (sub.subscribers.size === 0) {
      this.byTopic.delete(sub.topic);
      this.byId.delete(sub.id);
    }
  }
}
