import type { WampSession } from "./wamp_session.ts";

/**
 * Registrations or subscriptions the bridge wants on the core, refcounted by key, kept in step
 * with whichever remote session is current. Wanting a key while connected creates it at once;
 * the last release removes it. When the session is lost every id is forgotten (the core
 * dropped them with the session) and `attach` to the next session creates all wanted keys
 * again: that is what makes exports and interest come back after a reconnect without a
 * restart. A create still in flight when the key is released is undone when it completes.
 */
export interface BindingOps<S> {
  create(session: WampSession, spec: S): Promise<number>;
  destroy(session: WampSession, id: number): Promise<void>;
  /** The core refused to create it (RBAC, a conflicting registration …); not retried until the next attach. */
  failed(spec: S, err: Error): void;
}

interface Item<S> {
  spec: S;
  refs: number;
  id?: number;
  pending: boolean;
  failed: boolean;
}

export class RemoteBindings<S> {
  private readonly items = new Map<string, Item<S>>();
  private session?: WampSession;
  /** Bumped on every attach/detach, so answers from an older session are ignored. */
  private generation = 0;
  private inflight = new Set<Promise<unknown>>();

  constructor(private readonly ops: BindingOps<S>) {}

  add(key: string, spec: S): void {
    let item = this.items.get(key);
    if (!item) this.items.set(key, item = { spec, refs: 0, pending: false, failed: false });
    item.refs++;
    if (item.refs === 1) this.sync(key, item);
  }

  remove(key: string): void {
    const item = this.items.get(key);
    if (!item || item.refs === 0) return;
    item.refs--;
    if (item.refs === 0) this.sync(key, item);
  }

  /** Creates every wanted key on `session`; resolves when all have answered (either way). */
  async attach(session: WampSession): Promise<void> {
    this.session = session;
    this.generation++;
    for (const [key, item] of this.items) {
      item.failed = false;
      this.sync(key, item);
    }
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  detach(): void {
    this.session = undefined;
    this.generation++;
    for (const [key, item] of this.items) {
      item.id = undefined;
      item.pending = false;
      if (item.refs === 0) this.items.delete(key);
    }
  }

  /** Specs currently established on the core. */
  established(): S[] {
    return [...this.items.values()].filter((i) => i.id !== undefined && i.refs > 0).map((i) => i.spec);
  }

  /** Specs wanted (established or not). */
  wanted(): S[] {
    return [...this.items.values()].filter((i) => i.refs > 0).map((i) => i.spec);
  }

  private sync(key: string, item: Item<S>): void {
    const session = this.session;
    if (item.refs === 0 && item.id === undefined && !item.pending) {
      this.items.delete(key);
      return;
    }
    if (!session || item.pending) return;
    if (item.refs > 0 && item.id === undefined && !item.failed) {
      item.pending = true;
      const gen = this.generation;
      const p = this.ops.create(session, item.spec).then(
        (id) => {
          if (gen !== this.generation) return;
          item.pending = false;
          item.id = id;
          this.sync(key, item);
        },
        (err: Error) => {
          if (gen !== this.generation) return;
          item.pending = false;
          item.failed = true;
          this.ops.failed(item.spec, err);
          this.sync(key, item);
        },
      );
      this.inflight.add(p);
      p.finally(() => this.inflight.delete(p));
      return;
    }
    if (item.refs === 0 && item.id !== undefined) {
      const id = item.id;
      item.id = undefined;
      this.items.delete(key);
      this.ops.destroy(session, id).catch(() => {});
    }
  }
}
