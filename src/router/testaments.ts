import type { Session } from "./session.ts";
import type { Testament, TestamentScope } from "./realm_events.ts";

interface Buckets {
  detached: Testament[];
  destroyed: Testament[];
}

/**
 * WAMP "Session Testament": per session, two buckets kept in the order testaments were added.
 * This router has no session resumption, so a leaving session is both detached and destroyed;
 * the spec still wants two buckets (flush_testaments works per scope) and the detached ones
 * published first.
 */
export class Testaments {
  private readonly bySession = new Map<Session, Buckets>();

  add(session: Session, testament: Testament): void {
    let b = this.bySession.get(session);
    if (!b) {
      b = { detached: [], destroyed: [] };
      this.bySession.set(session, b);
    }
    b[testament.scope].push(testament);
  }

  flush(session: Session, scope: TestamentScope): number {
    const b = this.bySession.get(session);
    if (!b) return 0;
    const n = b[scope].length;
    b[scope] = [];
    if (b.detached.length === 0 && b.destroyed.length === 0) this.bySession.delete(session);
    return n;
  }

  /** Removes and returns the session's testaments in publishing order: detached, then destroyed. */
  take(session: Session): Testament[] {
    const b = this.bySession.get(session);
    if (!b) return [];
    this.bySession.delete(session);
    return [...b.detached, ...b.destroyed];
  }
}
