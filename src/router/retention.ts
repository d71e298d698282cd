import type { Dict, Payload } from "../wamp/messages.ts";
import type { Clock } from "../util/clock.ts";
import type { PublicationFilter } from "./publication_filter.ts";
import type { MatchPolicy } from "./uri_matcher.ts";
import { topicMatches } from "./topic_pattern.ts";

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

/**
 * WAMP "Event Retention": the most recent retained publication per topic. Best effort, as the
 * spec allows: bounded by topic count (oldest update evicted first) and optionally by age,
 * measured on the realm clock. Expiry is checked lazily on read, so no timers run.
 */
export class RetainedEvents {
  /** Insertion order = update order: a topic's new event moves it to the end. */
  private readonly byTopic = new Map<string, StoredPublication>();

  constructor(private readonly opts: RetentionOptions, private readonly clock: Clock) {}

  get size(): number {
    return this.byTopic.size;
  }

  store(p: StoredPublication): void {
    if (this.opts.maxTopics <= 0) return;
    this.byTopic.delete(p.topic);
    this.byTopic.set(p.topic, p);
    if (this.byTopic.size > this.opts.maxTopics) {
      this.byTopic.delete(this.byTopic.keys().next().value!);
    }
  }

  /** The live retained events whose topics match (pattern, match): one for an exact pattern. */
  matching(pattern: string, match: MatchPolicy): StoredPublication[] {
    if (match === "exact") {
      const p = this.byTopic.get(pattern);
      return p && this.live(p) ? [p] : [];
    }
    const found: StoredPublication[] = [];
    for (const p of [...this.byTopic.values()]) {
      if (topicMatches(p.topic, pattern, match) && this.live(p)) found.push(p);
    }
    return found;
  }

  private live(p: StoredPublication): boolean {
    if (this.opts.ttlMs > 0 && this.clock.now() - p.at >= this.opts.ttlMs) {
      this.byTopic.delete(p.topic);
      return false;
    }
    return true;
  }
}
