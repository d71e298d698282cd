import { MessageType as T } from "../wamp/message_type.ts";
import type { Dict, Event, Payload, Publish, Subscribe, Unsubscribe } from "../wamp/messages.ts";
import { Errors } from "../wamp/errors.ts";
import { isReservedUri, isValidPattern } from "../wamp/uri.ts";
import type { Counters } from "../util/counters.ts";
import { type Clock, systemClock } from "../util/clock.ts";
import type { RealmEvents, SubscriptionDetails, SubscriptionView, Testament, TestamentScope } from "./realm_events.ts";
import { type TrustLevels, trustLevelOf } from "./trust_levels.ts";
import type { Session } from "./session.ts";
import type { UriPolicy } from "./uri_policy.ts";
import type { MatchPolicy } from "./uri_matcher.ts";
import { errorReply } from "./replies.ts";
import { type Subscription, SubscriptionTable } from "./subscriptions.ts";
import { hasSessionLists, type PublicationFilter, publicationFilter } from "./publication_filter.ts";
import { RetainedEvents, type RetentionOptions, type StoredPublication } from "./retention.ts";
import { EventHistory, type EventHistoryRule } from "./event_history.ts";
import { Testaments } from "./testaments.ts";
import { mayForward } from "./forward_for.ts";

export interface BrokerOptions {
  uris: UriPolicy;
  /** Subscription ids (router scope). */
  nextId: () => number;
  /** Publication ids (global scope: random). */
  publicationId: () => number;
  counters: Counters;
  /** Realm clock: retention expiry, history timestamps, subscription creation times. */
  clock?: Clock;
  /** Realm lifecycle events (subscription meta events). */
  events?: RealmEvents;
  retention?: RetentionOptions;
  eventHistory?: EventHistoryRule[];
  /** WAMP "Publication Trust Levels" by publisher authrole. */
  trustLevels?: TrustLevels;
}

/** What every subscription's EVENT of one publication shares. */
interface Outgoing {
  topic: string;
  publication: number;
  details: Dict;
  payload: Payload;
  excluded?: Session;
  filter?: PublicationFilter;
  /** Disclosed to router-internal subscribers (the edge bridge) even without disclose_me. */
  publisher?: Session;
}

const DEFAULT_RETENTION: RetentionOptions = { maxTopics: 10_000, ttlMs: 0 };

/**
 * Routes publications. One subscription per (topic, match), shared by its subscribers, and one
 * EVENT object per (subscription, publication): each serializer encodes it once for all of
 * them (the transport's encode-once cache keys on the object).
 *
 * Advanced Profile: pattern-based subscription, publisher exclusion and identification,
 * subscriber black/white listing, subscription revocation, event retention, event history,
 * session testaments. Also the SubscriptionView the meta API reads.
 */
export class Broker implements SubscriptionView {
  private readonly subs: SubscriptionTable;
  private readonly clock: Clock;
  private readonly retained: RetainedEvents;
  private readonly historyLog: EventHistory;
  private readonly testaments = new Testaments();
  private seq = 0;

  constructor(private readonly opts: BrokerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.subs = new SubscriptionTable(opts.nextId, this.clock, opts.events);
    this.retained = new RetainedEvents(opts.retention ?? DEFAULT_RETENTION, this.clock);
    this.historyLog = new EventHistory(opts.eventHistory ?? []);
  }

  get subscriptionCount(): number {
    return this.subs.size;
  }

  subscribe(session: Session, msg: Subscribe): void {
    // The codec has checked `match` is one of exact/prefix/wildcard.
    const match = (msg.options.match ?? "exact") as MatchPolicy;
    // WAMP "Pattern-based Subscription": prefix patterns may end in ".", wildcard ones have empty components.
    if (!isValidPattern(msg.topic, match, this.opts.uris.mode === "strict")) {
      session.send(errorReply(T.SUBSCRIBE, msg.request, Errors.INVALID_URI, `"${msg.topic}" is not a valid ${match} topic pattern (${this.opts.uris.mode} rules)`));
      return;
    }
    // Subscribing again to the same (topic, match) returns the existing subscription id.
    const { sub } = this.subs.add(session, msg.topic, match);
    session.send({ type: T.SUBSCRIBED, request: msg.request, subscription: sub.id });
    // WAMP "Event Retention": get_retained delivers the retained events right after SUBSCRIBED.
    if (msg.options.get_retained === true) this.sendRetained(session, sub);
  }

  unsubscribe(session: Session, msg: Unsubscribe): void {
    const sub = this.subs.get(msg.subscription);
    if (!sub || !sub.subscribers.has(session)) {
      session.send(errorReply(T.UNSUBSCRIBE, msg.request, Errors.NO_SUCH_SUBSCRIPTION, `no subscription ${msg.subscription} held by this session`));
      return;
    }
    this.subs.remove(sub, session);
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
    const publication = this.route(msg.topic, msg.options, msg, publisher);
    if (acknowledge) publisher.send({ type: T.PUBLISHED, request: msg.request, publication });
  }

  /** Removes the session's subscriptions (with their events), then publishes its testaments. */
  sessionLeft(session: Session): void {
    for (const id of [...session.subscriptions]) {
      const sub = this.subs.get(id);
      if (sub) this.subs.remove(sub, session);
    }
    session.subscriptions.clear();
    // WAMP "Session Testament": detached-scope first, then destroyed, each in the order added,
    // published by the router itself (no publisher to exclude or disclose).
    for (const t of this.testaments.take(session)) {
      if (this.opts.uris.check(t.topic, "topic") || isReservedUri(t.topic)) continue;
      this.route(t.topic, t.options, { args: t.args, kwargs: t.kwargs });
    }
  }

  /** Fans one publication out to every matching subscription; stores it for retention/history. */
  private route(topic: string, options: Dict, payload: Payload, publisher?: Session): number {
    const publication = this.opts.publicationId();
    this.opts.counters.inc("publications");
    const filter = publicationFilter(options);
    const details = publisherDetails(options, publisher);
    // WAMP "Publication Trust Levels": assigned by the router, the same for every subscriber.
    const trustlevel = trustLevelOf(publisher, this.opts.trustLevels);
    if (trustlevel !== undefined) details.trustlevel = trustlevel;
    // WAMP "Publisher Exclusion": the publisher gets no copy unless exclude_me is false.
    const excluded = options.exclude_me !== false ? publisher : undefined;
    const out: Outgoing = { topic, publication, details, payload, excluded, filter, publisher };
    // Exact subscription by one Map lookup; the pattern tries are walked only when pattern
    // subscriptions exist, so exact-only realms pay nothing for them.
    const exact = this.subs.lookup(topic, "exact");
    let delivered = exact ? this.deliver(exact, out) : 0;
    if (this.subs.patternCount > 0) {
      this.subs.matchingPatterns(topic, (sub) => {
        delivered += this.deliver(sub, out);
      });
    }
    this.opts.counters.inc("events", delivered);
    const retain = options.retain === true;
    // WAMP "Event History": publications naming receivers by session id are never stored.
    const record = this.historyLog.enabled && !hasSessionLists(options);
    if (retain || record) {
      const stored: StoredPublication = {
        topic, publication, details, filter, at: this.clock.now(), seq: ++this.seq,
        args: payload.args, kwargs: payload.kwargs, payload: payload.payload,
      };
      // WAMP "Event Retention": stored even when nobody is subscribed yet.
      if (retain) this.retained.store(stored);
      if (record) this.historyLog.record(stored);
    }
    return publication;
  }

  /** One EVENT object for the subscription, sent to each eligible subscriber; returns how many got it. */
  private deliver(sub: Subscription, out: Outgoing): number {
    const { payload } = out;
    const event: Event = {
      type: T.EVENT,
      subscription: sub.id,
      publication: out.publication,
      // WAMP "Pattern-based Subscription": EVENT.Details.topic names the concrete topic.
      details: sub.match === "exact" ? out.details : { ...out.details, topic: out.topic },
      args: payload.args,
      kwargs: payload.kwargs,
      payload: payload.payload,
    };
    let delivered = 0;
    // Internal subscribers always learn the publisher, as internal callees learn the caller
    // (the edge bridge forwards it as forward_for): that EVENT is built once per delivery.
    let disclosed: Event | undefined;
    for (const s of sub.subscribers) {
      if (s === out.excluded || (out.filter !== undefined && !out.filter(s))) continue;
      const e = s.internal && out.publisher !== undefined ? (disclosed ??= internalEvent(event, out.publisher)) : event;
      if (s.send(e)) delivered++;
    }
    return delivered;
  }

  private sendRetained(session: Session, sub: Subscription): void {
    // Spec: the most recent retained event the subscriber would have received, never one its
    // black/white lists exclude (exclude_me is not applied: a publisher asking for the
    // retained event wants it back).
    for (const p of this.retained.matching(sub.uri, sub.match, session)) {
      const details: Dict = { ...p.details, retained: true };
      if (sub.match !== "exact") details.topic = p.topic;
      session.send({
        type: T.EVENT, subscription: sub.id, publication: p.publication, details,
        args: p.args, kwargs: p.kwargs, payload: p.payload,
      });
    }
  }

  // ---- SubscriptionView (Subscription Meta API) ----

  list(): Record<MatchPolicy, number[]> {
    const out: Record<MatchPolicy, number[]> = { exact: [], prefix: [], wildcard: [] };
    for (const sub of this.subs.all()) out[sub.match].push(sub.id);
    return out;
  }

  lookup(uri: string, match: MatchPolicy): number | undefined {
    return this.subs.lookup(uri, match)?.id;
  }

  match(uri: string): number[] {
    const ids: number[] = [];
    this.subs.matching(uri, (sub) => ids.push(sub.id));
    return ids;
  }

  get(id: number): SubscriptionDetails | undefined {
    const sub = this.subs.get(id);
    return sub && { id: sub.id, created: sub.created, uri: sub.uri, match: sub.match };
  }

  subscribers(id: number): number[] | undefined {
    const sub = this.subs.get(id);
    return sub && [...sub.subscribers].map((s) => s.id);
  }

  /**
   * WAMP "Subscription Revocation": removes the session (all when undefined) from the
   * subscription. Only subscribers that announced the feature get [UNSUBSCRIBED, 0, Details];
   * the others learn of it through wamp.subscription.on_unsubscribe only (spec).
   */
  revoke(id: number, session?: number, reason?: string): boolean {
    const sub = this.subs.get(id);
    if (!sub) return false;
    const targets = [...sub.subscribers].filter((s) => session === undefined || s.id === session);
    if (targets.length === 0) return false;
    const details: Dict = reason === undefined ? { subscription: id } : { subscription: id, reason };
    for (const s of targets) {
      this.subs.remove(sub, s);
      if (s.hasFeature("subscriber", "subscription_revocation")) s.send({ type: T.UNSUBSCRIBED, request: 0, details });
    }
    return true;
  }

  /**
   * wamp.subscription.get_events: the last `limit` stored events of the subscription's topic(s),
   * oldest first, as the spec's dicts. `reader` (the caller) filters out events whose
   * authid/authrole lists would not have let it receive them.
   */
  history(id: number, limit?: number, reader?: Session): Record<string, unknown>[] | undefined {
    const sub = this.subs.get(id);
    if (!sub) return undefined;
    const events = this.historyLog.query(sub.uri, sub.match, reader);
    if (!events) return undefined;
    const picked = limit !== undefined && limit >= 0 ? events.slice(Math.max(0, events.length - limit)) : events;
    return picked.map((p) => {
      const entry: Record<string, unknown> = {
        timestamp: new Date(p.at).toISOString(),
        subscription: id,
        publication: p.publication,
        details: sub.match === "exact" ? { ...p.details } : { ...p.details, topic: p.topic },
      };
      if (p.args !== undefined) entry.args = p.args;
      if (p.kwargs !== undefined) entry.kwargs = p.kwargs;
      return entry;
    });
  }

  addTestament(session: Session, testament: Testament): void {
    this.testaments.add(session, testament);
  }

  flushTestaments(session: Session, scope: TestamentScope): number {
    return this.testaments.flush(session, scope);
  }
}

function internalEvent(event: Event, p: Session): Event {
  if (event.details.publisher !== undefined) return event;
  return { ...event, details: { ...event.details, publisher: p.id, publisher_authid: p.authid, publisher_authrole: p.authrole } };
}

/** WAMP "Publisher Identification": disclose_me puts the publisher's identity in EVENT.Details. */
function publisherDetails(options: Dict, publisher?: Session): Dict {
  if (!publisher || (options.disclose_me !== true && options.forward_for === undefined)) return {};
  const details: Dict = options.disclose_me === true ? { publisher: publisher.id, publisher_authid: publisher.authid, publisher_authrole: publisher.authrole } : {};
  // WAMP "Router-to-Router Links" (edge bridge): forward_for names the original publisher(s).
  if (options.forward_for !== undefined && mayForward(publisher)) details.forward_for = options.forward_for;
  return details;
}
