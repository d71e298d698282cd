import type { Session } from "./session.ts";
import type { StoredPublication } from "./retention.ts";
import { UriMatcher, type MatchPolicy } from "./uri_matcher.ts";
import { matchesPattern } from "../wamp/uri.ts";

export interface EventHistoryRule {
  topic: string;
  match: MatchPolicy;
  limit: number;
}

interface Log {
  rule: EventHistoryRule;
  events: StoredPublication[];
}

/**
 * WAMP "Event History": the realm's configuration names topics (by pattern) whose last `limit`
 * publications are kept, from the moment they are published, so history exists even before
 * anyone subscribes (the spec's "dummy subscription" concern).
 */
export class EventHistory {
  private readonly rules = new UriMatcher<Log>();

  constructor(rules: EventHistoryRule[]) {
    for (const rule of rules) {
      if (rule.limit > 0) this.rules.set(rule.topic, rule.match, { rule, events: [] });
    }
  }

  get enabled(): boolean {
    return this.rules.size > 0;
  }

  /** Stores `p` in every rule its topic matches. */
  record(p: StoredPublication): void {
    this.rules.all(p.topic, ({ value: log }) => {
      log.events.push(p);
      if (log.events.length > log.rule.limit) log.events.splice(0, log.events.length - log.rule.limit);
    });
  }

  /**
   * The stored publications a subscription on (uri, match) would have received, oldest first,
   * filtered for `reader` by the publications' authid/authrole lists; undefined when no rule
   * keeps history for it. A rule for exactly (uri, match) answers; an exact subscription is also
   * answered by any rule whose pattern covers its topic.
   */
  query(uri: string, match: MatchPolicy, reader?: Session): StoredPublication[] | undefined {
    let logs: Log[] = [];
    const own = this.rules.get(uri, match);
    if (own) logs = [own];
    else if (match === "exact") this.rules.all(uri, (m) => logs.push(m.value));
    if (logs.length === 0) return undefined;
    const seen = new Set<StoredPublication>();
    const out: StoredPublication[] = [];
    for (const log of logs) {
      for (const p of log.events) {
        if (seen.has(p) || !matchesPattern(p.topic, uri, match)) continue;
        // Spec "Event History", security: the original publication's lists apply to the reader.
        if (reader && p.filter && !p.filter(reader)) continue;
        seen.add(p);
        out.push(p);
      }
    }
    // Several rules may interleave: order by arrival.
    if (logs.length > 1) out.sort((a, b) => a.seq - b.seq);
    return out;
  }
}
