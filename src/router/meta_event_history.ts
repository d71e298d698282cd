import { Errors } from "../wamp/errors.ts";
import { kwarg, type MetaCall, MetaError } from "./meta_procedure.ts";

type StoredEvent = Record<string, unknown>;

/**
 * Spec "Event History", wamp.subscription.get_events ArgumentsKw: the time and publication
 * bounds are ANDed, then `reverse` and `limit` page the result. `events` is oldest first.
 * Publication ids are not ordered (global scope), so `*_publication` bounds cut the stored
 * sequence at the position of that event.
 */
export function filterHistory(events: StoredEvent[], call: MetaCall): StoredEvent[] {
  let out = events;
  out = byTime(out, call);
  out = byPublication(out, call);
  const topic = kwarg(call, "topic", "string");
  if (topic !== undefined) out = out.filter((e) => eventTopic(e) === topic);
  if (kwarg(call, "reverse", "boolean") === true) out = [...out].reverse();
  const limit = kwarg(call, "limit", "number");
  if (limit !== undefined) {
    if (!Number.isInteger(limit) || limit < 1) throw new MetaError(Errors.INVALID_ARGUMENT, "ArgumentsKw.limit must be a positive integer");
    out = out.slice(0, limit);
  }
  return out === events ? [...events] : out;
}

function byTime(events: StoredEvent[], call: MetaCall): StoredEvent[] {
  const bound = (key: string): number | undefined => {
    const v = kwarg(call, key, "string");
    if (v === undefined) return undefined;
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw new MetaError(Errors.INVALID_ARGUMENT, `ArgumentsKw.${key} must be an RFC 3339 timestamp`);
    return t;
  };
  const from = bound("from_time"), after = bound("after_time"), before = bound("before_time"), until = bound("until_time");
  if (from === undefined && after === undefined && before === undefined && until === undefined) return events;
  return events.filter((e) => {
    const t = Date.parse(String(e.timestamp));
    return (from === undefined || t >= from) && (after === undefined || t > after) &&
      (before === undefined || t < before) && (until === undefined || t <= until);
  });
}

function byPublication(events: StoredEvent[], call: MetaCall): StoredEvent[] {
  const at = (key: string): number | undefined => {
    const v = kwarg(call, key, "number");
    return v === undefined ? undefined : events.findIndex((e) => e.publication === v);
  };
  let start = 0, end = events.length;
  const from = at("from_publication"), after = at("after_publication");
  const before = at("before_publication"), until = at("until_publication");
  // An unknown publication id bounds nothing but matches nothing either: empty result.
  if ([from, after, before, until].some((i) => i === -1)) return [];
  if (from !== undefined) start = Math.max(start, from);
  if (after !== undefined) start = Math.max(start, after + 1);
  if (before !== undefined) end = Math.min(end, before);
  if (until !== undefined) end = Math.min(end, until + 1);
  return start === 0 && end === events.length ? events : events.slice(start, end);
}

function eventTopic(e: StoredEvent): unknown {
  const details = e.details as Record<string, unknown> | undefined;
  return details?.topic ?? e.topic;
}
