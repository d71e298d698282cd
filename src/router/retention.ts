import type { Dict, Payload } from "../wamp/messages.ts";
import type { Clock } from "../util/clock.ts";
import type { PublicationFilter } from "./publication_filter.ts";
import type { MatchPolicy } from "./uri_matcher.ts";
import type { Session } from "./session.ts";
import { matchesPattern } from "../wamp/uri.ts";

/** A publication as stored for Event Retention and Event History. */
export interface StoredPublication extends Payload {
  topic: string;
  publication: number;
  /** EVENT.Details the publication carries for every subscriber (publisher identification). */
  details: Dict;
  /** The publication's black/white lists, applied again when the event is handed out later. */
  filter?: PublicationFilter;
  /** Realm clock time of the publication (ms). */
  at: number;
  /** Arrival order in the broker (orders events of several history rules). */
  seq: number;
}

export interface RetentionOptions {
  /** How many topics may hold a retained event; the oldest is evicted beyond. 0 = none. */
  maxTopics: number;
  /** Retained events older than this are dropped (ms); 0 = never. */
  ttlMs: number;
}

/** Retained events kept per topic: the last one for everyone plus later restricted ones. */
const MAX_PER_TOPIC = 8;

/**
 * WAMP "Event Retention": per topic, the most recent retained publication each subscriber would
 * have received. A publication without black/white lists replaces the topic's chain; one with
 * lists is added after it (the spec's "supplemental events that have limited distribution"),
 * so a subscriber a restricted event excludes still gets the previous one. Best effort, as the
 * spec allows: bounded per topic, by topic count (oldest update evicted first) and optionally
 * by age on the realm clock. Expiry is checked lazily on read, so no timers run.
 */
export class RetainedEvents {
  /** Insertion order = update order: a topic's new event moves it to the end. Chains are oldest first. */
  private readonly byTopic = new Map<string, StoredPublication[]>();

  constructor(private readonly opts: RetentionOptions, private readonly clock: Clock) {}

  get size(): number {
    return this.byTopic.size;
  }

  store(p: StoredPublication): void {
    if (this.opts.maxTopics <= 0) return;
    const chain = p.filter ? this.byTopic.get(p.topic) ?? [] : [];
    chain.push(p);
    if (chain.length > MAX_PER_TOPIC) chain.shift();
    this.byTopic.delete(p.topic);
    this.byTopic.set(p.topic, chain);
    if (this.byTopic.size > this.opts.maxTopics) {
      this.byTopic.delete(this.byTopic.keys().next().value!);
    }
  }

  /**
   * For each live topic matching (pattern, match) — one for an exact pattern — the newest
   * retained event `reader` is eligible for (spec: never one it would not have received).
   */
  matching(pattern: string, match: MatchPolicy, reader: Session): StoredPublication[] {
    const found: StoredPublication[] = [];
    if (match === "exact") {
      const p = this.pick(pattern, reader);
      if (p) found.push(p);
      return found;
    }
    for (const topic of [...this.byTopic.keys()]) {
      if (!matchesPattern(topic, pattern, match)) continue;
      const p = this.pick(topic, reader);
      if (p) found.push(p);
    }
    return found;
  }

  private pick(topic: string, reader: Session): StoredPublication | undefined {
    const chain = this.byTopic.get(topic);
    if (!chain) return undefined;
    for (let i = chain.length - 1; i >= 0; i--) {
      const p = chain[i];
      if (this.opts.ttlMs > 0 && this.clock.now() - p.at >= this.opts.ttlMs) {
        // Older entries are older still: drop them all, and the topic when nothing is left.
        chain.splice(0, i + 1);
        if (chain.length === 0) this.byTopic.delete(topic);
        return undefined;
      }
      if (!p.filter || p.filter(reader)) return p;
    }
    return undefined;
  }
}
