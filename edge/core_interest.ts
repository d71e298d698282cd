import { matchesPattern } from "../src/wamp/mod.ts";
import type { Event } from "../src/wamp/mod.ts";
import type { MatchPolicy } from "./filters.ts";
import type { WampSession } from "./wamp_session.ts";

interface CoreSubscription {
  uri: string;
  match: MatchPolicy;
  subscribers: Set<number>;
}

/**
 * Which topics someone on the core subscribes to, learnt from the core's subscription meta API
 * (the on_create/on_subscribe/on_unsubscribe/on_delete events, then list + get +
 * list_subscribers for what existed before). Exported publications go to the core only while
 * this says someone there listens — interest follows subscriptions, as in NATS leafnodes.
 * The bridge's own remote session does not count (it subscribes for imports, and an export
 * must not be sent to the core just because the same bridge imports the topic).
 *
 * If the core does not let the edge use its meta API (RBAC, or a router without one), interest
 * is assumed everywhere: every exported publication is sent.
 */
export class CoreInterest {
  /** True when the meta API could not be used: every topic counts as wanted. */
  everywhere = false;
  /** Why `everywhere` is set. */
  reason?: string;
  private readonly subs = new Map<number, CoreSubscription>();
  /** on_subscribe for a subscription not known yet (its list/get answer is on the way). */
  private readonly early = new Map<number, Set<number>>();
  private readonly cache = new Map<string, boolean>();

  constructor(private readonly self: number) {}

  async start(remote: WampSession): Promise<void> {
    try {
      await Promise.all([
        remote.subscribe("wamp.subscription.on_create", (ev) => this.onCreate(ev)),
        remote.subscribe("wamp.subscription.on_subscribe", (ev) => this.onSubscribe(ev)),
        remote.subscribe("wamp.subscription.on_unsubscribe", (ev) => this.onUnsubscribe(ev)),
        remote.subscribe("wamp.subscription.on_delete", (ev) => this.onDelete(ev)),
      ]);
      const list = (await remote.call("wamp.subscription.list")).args?.[0] as Record<string, number[]> | undefined;
      const ids = [...(list?.exact ?? []), ...(list?.prefix ?? []), ...(list?.wildcard ?? [])];
      await Promise.all(ids.map(async (id) => {
        const [got, subscribers] = await Promise.all([
          remote.call("wamp.subscription.get", { args: [id] }),
          remote.call("wamp.subscription.list_subscribers", { args: [id] }),
        ]);
        const d = got.args?.[0] as { uri?: string; match?: MatchPolicy } | undefined;
        if (!d || typeof d.uri !== "string") return;
        const sub = this.subs.get(id) ?? { uri: d.uri, match: d.match ?? "exact", subscribers: new Set<number>() };
        for (const s of (subscribers.args?.[0] as number[] | undefined) ?? []) sub.subscribers.add(s);
        this.known(id, sub);
      }));
    } catch (err) {
      this.everywhere = true;
      this.reason = `the core's subscription meta API is not available to this edge (${(err as Error).message}); exported publications are sent whether or not anyone subscribes`;
    }
  }

  /** Whether a publication to `topic` would reach some session on the core other than ours. */
  has(topic: string): boolean {
    if (this.everywhere) return true;
    let v = this.cache.get(topic);
    if (v === undefined) {
      v = false;
      for (const sub of this.subs.values()) {
        if (!matchesPattern(topic, sub.uri, sub.match)) continue;
        if (sub.subscribers.size > (sub.subscribers.has(this.self) ? 1 : 0)) {
          v = true;
          break;
        }
      }
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(topic, v);
    }
    return v;
  }

  private known(id: number, sub: CoreSubscription): void {
    const early = this.early.get(id);
    if (early) for (const s of early) sub.subscribers.add(s);
    this.early.delete(id);
    this.subs.set(id, sub);
    this.cache.clear();
  }

  private onCreate(ev: Event): void {
    const d = ev.args?.[1] as { id?: number; uri?: string; match?: MatchPolicy } | undefined;
    if (!d || typeof d.id !== "number" || typeof d.uri !== "string") return;
    if (!this.subs.has(d.id)) this.known(d.id, { uri: d.uri, match: d.match ?? "exact", subscribers: new Set() });
  }

  private onSubscribe(ev: Event): void {
    const [session, id] = (ev.args ?? []) as [number, number];
    const sub = this.subs.get(id);
    if (sub) sub.subscribers.add(session);
    else {
      let set = this.early.get(id);
      if (!set) this.early.set(id, set = new Set());
      set.add(session);
    }
    this.cache.clear();
  }

  private onUnsubscribe(ev: Event): void {
    const [session, id] = (ev.args ?? []) as [number, number];
    this.subs.get(id)?.subscribers.delete(session);
    this.early.get(id)?.delete(session);
    this.cache.clear();
  }

  private onDelete(ev: Event): void {
    const id = (ev.args ?? [])[1] as number;
    this.subs.delete(id);
    this.early.delete(id);
    this.cache.clear();
  }
}
