/**
 * Time source for everything that waits: timeouts, keepalive, backoff, grace periods.
 * Production uses `systemClock`; unit tests use `createManualClock()` and advance time by hand
 * instead of sleeping.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export type TimerHandle = { readonly id: number };

let nextSystemTimer = 1;
const systemTimers = new Map<number, ReturnType<typeof setTimeout>>();

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const id = nextSystemTimer++;
    systemTimers.set(id, setTimeout(() => {
      systemTimers.delete(id);
      fn();
    }, ms));
    return { id };
  },
  clearTimeout(handle) {
    const t = systemTimers.get(handle.id);
    if (t !== undefined) {
      clearTimeout(t);
      systemTimers.delete(handle.id);
    }
  },
};

export interface ManualClock extends Clock {
  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void;
  /** Timers not yet fired. */
  pending(): number;
}

export function createManualClock(start = 0): ManualClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return { id };
    },
    clearTimeout(handle) {
      timers.delete(handle.id);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let due: [number, { at: number; fn: () => void }] | undefined;
        for (const entry of timers) {
          if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
        }
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
    pending: () => timers.size,
  };
}
