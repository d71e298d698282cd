import type { Peer } from "../src/wamp/mod.ts";
import { type Clock, type Logger, silentLogger, type TimerHandle } from "../src/util/mod.ts";
import type { Backoff } from "./backoff.ts";
import { type Keepalive, startKeepalive } from "./keepalive.ts";
import { tapPeer } from "./peer_tap.ts";
import type { UplinkBridge, UplinkConnection, UplinkState, UplinkStatus, UplinkTransport } from "./uplink_types.ts";

export type { BridgeStatusView, UplinkBridge, UplinkConnection, UplinkState, UplinkStatus, UplinkTransport } from "./uplink_types.ts";

/**
 * One uplink: keeps the edge's bridged realms connected to one core, for as long as the edge
 * runs.
 *
 * ```
 *  ┌─────────┐ start(): the bridges' local side first
 *  │ stopped │─────────────┐
 *  └─────────┘             ▼
 *                   ┌────────────┐   refused, unreachable, timeout
 *         ┌────────►│ connecting │──────────────────────────────────────┐
 *         │         └────────────┘                                      │
 *         │    link: carrier open │    compat: every realm's            │
 *         │                       ▼    WAMP connection open ──┐         │
 *         │        ┌─────────────┐   version mismatch, no     │         │
 *         │        │ handshaking │── edge listener, timeout ──┼────────►│
 *         │        └─────────────┘                            │         │
 *         │         LINK_WELCOME  │                           │         │
 *         │                       ▼                           │         │
 *         │          ┌─────────┐ ◄────────────────────────────┘         │
 *         │          │ joining │── auth refused, no such realm, ───────►│
 *         │          └─────────┘   join timeout                         │
 *         │  every realm WELCOMEd │                                     ▼
 *         │                       ▼                               ┌─────────┐
 *         │                    ┌────┐  link closed, a session     │ backoff │
 *         │                    │ up │─ ended, keepalive timeout ─►│ (timer) │
 *         │                    └────┘  (terminate)                └─────────┘
 *         │                                                             │
 *         └──────────────────── timer fired: reconnects + 1 ────────────┘
 *
 *  stop(), from any state: the bridges leave (GOODBYE), the connection closes, timers stop.
 * ```
 *
 * - The delay in `backoff` is jittered exponential (edge/backoff.ts). Errors a quick retry
 *   cannot fix — link version mismatch, a core without edge links on that listener,
 *   authentication refused, unknown realm, not authorized — wait the maximum delay and are
 *   logged as errors naming the fix. After an `up` that lasted `stableMs`, the delay starts
 *   over from the minimum.
 * - The realms move together: the uplink is `up` only when every bridged realm has its remote
 *   session, and any one of them ending takes the whole connection down and back through
 *   backoff. Simple, and the status never shows a half-bridged edge.
 * - While not `up`, the bridges know (disconnected): local traffic goes on, imported
 *   procedures fail fast, exported publications are buffered.
 * - Keepalive (edge/keepalive.ts) runs while `up`, one per socket: a half-open link is noticed
 *   within intervalMs + maxAttempts × timeoutMs; joining is bounded by `joinTimeoutMs`.
 */

export interface UplinkOptions {
  name: string;
  url: string;
  mode: "link" | "compat";
  transport: UplinkTransport;
  bridges: UplinkBridge[];
  backoff: Backoff;
  keepalive: { intervalMs: number; timeoutMs: number; maxAttempts: number };
  /** Joining every realm must finish within this. */
  joinTimeoutMs: number;
  /** An `up` that lasted this long resets the backoff to its minimum. */
  stableMs: number;
  clock: Clock;
  logger?: Logger;
}

/** Errors a quick retry cannot fix: they need a config change on the edge or the core. */
const NEEDS_CONFIG_CHANGE =
  /version[ _-]?mismatch|serializer_unsupported|does not accept edge links|authentication[ _-]failed|no_such_realm|no such realm|not_authorized|no_such_role|not authorized/i;

/** How long stop() waits for the remote sessions' GOODBYEs before it closes the connection. */
const STOP_GRACE_MS = 2000;

export function needsConfigChange(reason: string): boolean {
  return NEEDS_CONFIG_CHANGE.test(reason);
}

export class Uplink {
  private stateNow: UplinkState = "stopped";
  private sinceMs: number;
  private upSinceMs: number | undefined;
  private generation = 0;
  private attempts = 0;
  private reconnectCount = 0;
  private remoteNode: string | undefined;
  private lastError: string | undefined;
  private nextAttemptMs: number | undefined;
  private conn: UplinkConnection | undefined;
  private timer: TimerHandle | undefined;
  private keepalives: Keepalive[] = [];
  /** True while down()/stop() close the connection and tell the bridges (their news is ours). */
  private tearingDown = false;
  private readonly log: Logger;
  /** Listeners for state changes (metrics, tests). */
  onStateChange: (state: UplinkState, previous: UplinkState) => void = () => {};

  constructor(private readonly opts: UplinkOptions) {
    this.sinceMs = opts.clock.now();
    this.log = (opts.logger ?? silentLogger).child({ uplink: opts.name, url: opts.url });
  }

  get state(): UplinkState {
    return this.stateNow;
  }

  get reconnects(): number {
    return this.reconnectCount;
  }

  /** Starts the bridges' local side, then connects (in the background: never waits for the core). */
  async start(): Promise<void> {
    if (this.stateNow !== "stopped") return;
    try {
      await Promise.all(this.opts.bridges.map((b) => b.start()));
    } catch (err) {
      // Leave nothing behind on the local realms (the bridges that did start).
      await Promise.allSettled(this.opts.bridges.map((b) => b.stop()));
      throw err;
    }
    this.connect();
  }

  async stop(): Promise<void> {
    if (this.stateNow === "stopped") return;
    this.generation++;
    this.clearTimer();
    this.stopKeepalives();
    const conn = this.conn;
    this.conn = undefined;
    this.setState("stopped");
    if (conn) conn.onClose = () => {};
    // The bridges leave first, so the core sees each remote session say GOODBYE while the
    // connection is still open — bounded, because a dead core never answers.
    const { clock } = this.opts;
    let timer: TimerHandle | undefined;
    await Promise.race([
      Promise.allSettled(this.opts.bridges.map((b) => b.stop())),
      new Promise<void>((r) => (timer = clock.setTimeout(r, STOP_GRACE_MS))),
    ]);
    if (timer) clock.clearTimeout(timer);
    this.tearingDown = true;
    try {
      conn?.close("edge stopping");
      for (const b of this.opts.bridges) b.disconnected(`uplink ${this.opts.name} stopped`);
    } catch { /* already gone */ } finally {
      this.tearingDown = false;
    }
    this.log.info("uplink stopped");
  }

  /**
   * A bridge saw its remote session end on its own (the core sent GOODBYE or ABORT on a
   * channel that stays open): the connection as a whole goes down and reconnects.
   */
  remoteLost(reason: string): void {
    if (this.tearingDown) return; // our own close of the connection, reported back
    if (this.stateNow === "joining" || this.stateNow === "up") this.down(this.generation, reason, { connected: true });
  }

  status(): UplinkStatus {
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      name: this.opts.name,
      url: this.opts.url,
      mode: this.opts.mode,
      state: this.stateNow,
      since: iso(this.sinceMs),
      reconnects: this.reconnectCount,
      ...(this.remoteNode !== undefined ? { remoteNode: this.remoteNode } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      ...(this.stateNow === "backoff" && this.nextAttemptMs !== undefined ? { nextAttemptAt: iso(this.nextAttemptMs) } : {}),
      realms: this.opts.bridges.map((b) => b.status()),
    };
  }

  private setState(next: UplinkState): void {
    const previous = this.stateNow;
    if (previous === next) return;
    this.stateNow = next;
    this.sinceMs = this.opts.clock.now();
    this.onStateChange(next, previous);
  }

  private connect(): void {
    const gen = ++this.generation;
    this.attempts++;
    this.setState("connecting");
    if (this.attempts === 1) this.log.info("uplink connecting", { mode: this.opts.mode });
    else this.log.info("uplink reconnecting", { mode: this.opts.mode, attempt: this.attempts, reconnects: this.reconnectCount });
    let pending: Promise<UplinkConnection>;
    const handshaking = () => {
      if (gen === this.generation && this.stateNow === "connecting") this.setState("handshaking");
    };
    try {
      pending = this.opts.transport.connect(handshaking);
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      (conn) => {
        if (gen !== this.generation) {
          conn.onClose = () => {};
          conn.close("edge stopping");
          return;
        }
        this.join(gen, conn);
      },
      (err) => {
        if (gen === this.generation) this.down(gen, errorText(err), { connected: false });
      },
    );
  }

  private join(gen: number, conn: UplinkConnection): void {
    this.conn = conn;
    this.remoteNode = conn.remoteNode;
    this.setState("joining");
    // May run at once, when the connection closed before we got here.
    conn.onClose = (reason) => this.down(gen, `connection to the core closed: ${reason}`, { connected: true });
    if (gen !== this.generation) return;
    const { clock, joinTimeoutMs } = this.opts;
    this.timer = clock.setTimeout(() => {
      this.down(gen, `the realms' sessions did not join within ${joinTimeoutMs} ms`, { connected: true, terminate: true });
    }, joinTimeoutMs);
    const joins = this.opts.bridges.map((bridge, index) => {
      const realm = bridge.status();
      let peer: Peer;
      try {
        peer = conn.peer(index);
      } catch (err) {
        return Promise.reject(new Error(`realm "${realm.localRealm}": ${errorText(err)}`));
      }
      // Until this realm has joined, its session ending is reported by the join's rejection,
      // which carries the core's ABORT reason (authentication_failed, no_such_realm, …) that
      // decides the backoff; the peer's close arrives first and must not pre-empt it. A close
      // with no ABORT at all is caught by the join timeout.
      let joined = false;
      const watched = tapPeer(peer, {
        onGone: () => {
          if (joined) this.down(gen, `the session for realm "${realm.localRealm}" (remote "${realm.remoteRealm}") ended`, { connected: true });
        },
      });
      return bridge.connect(watched).then(() => {
        joined = true;
      }, (err) => {
        throw new Error(`realm "${realm.localRealm}" (remote "${realm.remoteRealm}"): ${errorText(err)}`);
      });
    });
    Promise.all(joins).then(
      () => {
        if (gen !== this.generation) return;
        this.clearTimer();
        this.up(gen, conn);
      },
      (err) => {
        if (gen === this.generation) this.down(gen, errorText(err), { connected: true });
      },
    );
  }

  private up(gen: number, conn: UplinkConnection): void {
    this.upSinceMs = this.opts.clock.now();
    this.lastError = undefined;
    this.setState("up");
    const { intervalMs, timeoutMs, maxAttempts } = this.opts.keepalive;
    this.keepalives = conn.keepalives.map((target) =>
      startKeepalive({
        intervalMs, timeoutMs, maxAttempts, target, clock: this.opts.clock,
        onDead: (reason) => this.down(gen, reason, { connected: true, terminate: true }),
      })
    );
    this.log.info("uplink up", {
      mode: this.opts.mode, remoteNode: conn.remoteNode, reconnects: this.reconnectCount,
      realms: this.opts.bridges.map((b) => `${b.status().localRealm}->${b.status().remoteRealm}`),
    });
  }

  /** Leaves connecting/joining/up for backoff (ignores news about an older generation). */
  private down(gen: number, reason: string, how: { connected: boolean; terminate?: boolean }): void {
    if (gen !== this.generation || this.stateNow === "stopped" || this.stateNow === "backoff") return;
    this.generation++;
    const wasUp = this.stateNow === "up";
    this.clearTimer();
    this.stopKeepalives();
    const conn = this.conn;
    this.conn = undefined;
    this.tearingDown = true;
    try {
      if (conn) {
        conn.onClose = () => {};
        try {
          if (how.terminate) conn.terminate();
          else conn.close(reason);
        } catch { /* already gone */ }
      }
      if (how.connected) for (const b of this.opts.bridges) b.disconnected(reason);
    } finally {
      this.tearingDown = false;
    }
    this.lastError = reason;
    const now = this.opts.clock.now();
    if (wasUp && this.upSinceMs !== undefined && now - this.upSinceMs >= this.opts.stableMs) this.opts.backoff.reset();
    const fatal = needsConfigChange(reason);
    const delay = fatal ? this.opts.backoff.atMax() : this.opts.backoff.next();
    this.nextAttemptMs = now + delay;
    this.setState("backoff");
    if (fatal) {
      this.log.error("uplink refused by the core; this needs a config change on the edge or the core, so retries wait the maximum backoff", {
        reason, retryInMs: delay,
      });
    } else {
      this.log.warn(wasUp ? "uplink down" : "uplink could not connect", { reason, retryInMs: delay });
    }
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.stateNow !== "backoff") return;
      this.reconnectCount++;
      this.connect();
    }, delay);
  }

  private clearTimer(): void {
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private stopKeepalives(): void {
    for (const k of this.keepalives) k.stop();
    this.keepalives = [];
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
