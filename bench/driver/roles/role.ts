/** What every client role provides to the client process (client_process.ts). */
import type { ClientSpec, FromClient } from "../protocol.ts";

export interface RoleRunner {
  /** Begins the measured phase at `at` (ms since the epoch) for `durationMs`; reports "done" itself. */
  start(at: number, durationMs: number): void;
  /** Publisher flow control: the slowest subscriber has this many events. */
  window?(delivered: number): void;
  /** Subscribers: the publisher sent this many; report once all arrived (or give up). */
  expect?(count: number): void;
  close(): void;
}

export type RoleFactory = (spec: ClientSpec, send: (m: FromClient) => void) => Promise<RoleRunner>;

/** How long a role waits for outstanding replies/events after the measured phase. */
export const DRAIN_MS = 10_000;

/** Runs `fn` at the epoch time `at`. */
export function at(time: number, fn: () => void): void {
  setTimeout(fn, Math.max(0, time - (performance.timeOrigin + performance.now())));
}
