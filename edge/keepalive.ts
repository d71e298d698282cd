import type { Clock, TimerHandle } from "../src/util/mod.ts";

/**
 * Keepalive for one path to the core (the link, or one compat WAMP connection).
 *
 * Only an idle path is probed: after `intervalMs` without anything received, a probe goes out;
 * an answer (or any other traffic) within `timeoutMs` proves the path alive. A probe that goes
 * unanswered is retried, up to `maxAttempts` probes in a row; then the path counts as dead and
 * `onDead` runs (the uplink terminates the socket without a goodbye and reconnects).
 *
 * So a peer that vanished without a FIN (half-open TCP) is noticed at most
 *   intervalMs + maxAttempts × timeoutMs
 * after the last thing it sent — the "keepalive window" the README documents.
 */
export interface KeepaliveTarget {
  /** Clock ms when anything last arrived on this path. */
  lastReceivedAt(): number;
  /** Sends one probe; resolves when it is answered. Rejecting counts as an unanswered probe. */
  ping(timeoutMs: number): Promise<number>;
}

export interface KeepaliveOptions {
  intervalMs: number;
  timeoutMs: number;
  maxAttempts: number;
  clock: Clock;
  target: KeepaliveTarget;
  /** The path is dead; called once, after which the keepalive is stopped. */
  onDead(reason: string): void;
  /** Round-trip time of an answered probe (for status/logs). */
  onAnswer?(rttMs: number): void;
}

export interface Keepalive {
  stop(): void;
  /** Probes sent since the path was last proven alive (0 while it is fine). */
  readonly missed: number;
}

export function startKeepalive(opts: KeepaliveOptions): Keepalive {
  const { clock, target, intervalMs, timeoutMs } = opts;
  const maxAttempts = Math.max(1, opts.maxAttempts);
  let timer: TimerHandle | undefined;
  let stopped = false;
  let attempts = 0;
  /** Distinguishes the current probe from late settlements of earlier ones. */
  let probeId = 0;

  const arm = (at: number, fn: () => void) => {
    if (timer) clock.clearTimeout(timer);
    timer = clock.setTimeout(fn, Math.max(0, at - clock.now()));
  };

  const check = () => {
    if (stopped) return;
    const last = target.lastReceivedAt();
    if (clock.now() - last < intervalMs) return arm(last + intervalMs, check);
    probe();
  };

  /** The path answered (or sent something): idle time counts from its last traffic. */
  const alive = (answeredAt?: number) => {
    attempts = 0;
    arm(Math.max(target.lastReceivedAt(), answeredAt ?? 0) + intervalMs, check);
  };

  const probe = () => {
    const id = ++probeId;
    const sentAt = clock.now();
    attempts++;
    let settled = false;
    const missed = () => {
      if (settled || stopped || id !== probeId) return;
      settled = true;
      // Traffic that arrived after the probe went out proves the path just as well.
      if (target.lastReceivedAt() > sentAt) return alive();
      if (attempts >= maxAttempts) {
        stopped = true;
        if (timer) clock.clearTimeout(timer);
        opts.onDead(`no answer from the core to ${attempts} keepalive probe${attempts === 1 ? "" : "s"} (${timeoutMs} ms each) after ${intervalMs} ms without traffic`);
        return;
      }
      probe();
    };
    arm(sentAt + timeoutMs, missed);
    let sent: Promise<number>;
    try {
      sent = target.ping(timeoutMs);
    } catch {
      sent = Promise.reject();
    }
    sent.then(
      (rtt) => {
        if (settled || stopped || id !== probeId) return;
        settled = true;
        opts.onAnswer?.(rtt);
        alive(clock.now());
      },
      // A probe that fails before its timeout (e.g. could not be sent) still waits for the
      // timeout: the path may yet deliver something that proves it alive.
      () => {},
    );
  };

  arm(target.lastReceivedAt() + intervalMs, check);
  return {
    stop() {
      stopped = true;
      if (timer) clock.clearTimeout(timer);
      timer = undefined;
    },
    get missed() {
      return attempts;
    },
  };
}
