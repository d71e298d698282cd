import { type Clock, systemClock, type TimerHandle } from "../util/clock.ts";
import type { Peer } from "../wamp/peer.ts";
import type { WireData } from "./channel.ts";

/**
 * The slow-consumer bound and write batching shared by every socket transport.
 *
 * "Buffered" means bytes a peer has been sent but has not yet taken off our hands: what is in
 * this queue (encoded, waiting for the end of the turn) plus what the runtime still holds for
 * the socket (`bufferedAmount`). A peer is *over limit* while that sum exceeds
 * `maxBufferedBytes`. Over limit, messages are still accepted and queued (never dropped
 * silently); staying over for longer than `graceMs`, or reaching twice the bound, closes the
 * peer as a slow consumer.
 */
export interface OutboundOptions {
  /** Default 8 MiB. */
  maxBufferedBytes?: number;
  /** How long a peer may stay over `maxBufferedBytes`. Default 5000 ms. */
  graceMs?: number;
  clock?: Clock;
  /** Called once per peer closed as a slow consumer (a metrics counter hook). */
  onSlowConsumer?: (peer: Peer) => void;
  /**
   * Defers the flush to the end of the current turn. Default: `setImmediate` where the runtime
   * has it (batches across all the messages read in one event-loop iteration), else
   * `queueMicrotask`.
   */
  schedule?: (fn: () => void) => void;
}

export const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
export const DEFAULT_GRACE_MS = 5000;

/** Where a queue's batches go: implemented by the framed peer over a channel. */
export interface OutboundSink {
  /** Bytes the runtime holds for the socket, beyond this queue. */
  readonly bufferedAmount: number;
  /** Writes one turn's batch, in order. */
  writeBatch(items: WireData[]): void;
  /** The bound was broken; called at most once. The sink closes the connection. */
  slowConsumer(): void;
}

/**
 * One `setImmediate` per event-loop turn for every queue with something to flush, instead of
 * one per queue: a publication to 1000 subscribers arms one timer, not 1000. Each flush runs
 * in the order its queue was first pushed to in the turn; one that throws does not keep the
 * others from running (the error is rethrown afterwards, as an uncaught error would have been).
 */
let turnTasks: (() => void)[] = [];
let turnArmed = false;
function runTurnTasks(): void {
  turnArmed = false;
  const tasks = turnTasks;
  turnTasks = [];
  let failure: { err: unknown } | undefined;
  for (let i = 0; i < tasks.length; i++) {
    try {
      tasks[i]();
    } catch (err) {
      failure ??= { err };
    }
  }
  if (failure) throw failure.err;
}

/** Runs `fn` once at the end of the current event-loop turn, with the queues' flushes. */
export const atEndOfTurn: (fn: () => void) => void = typeof setImmediate === "function"
  ? (fn) => {
    turnTasks.push(fn);
    if (!turnArmed) {
      turnArmed = true;
      setImmediate(runTurnTasks);
    }
  }
  : queueMicrotask;

/** Byte size of a wire item; a string counts its UTF-16 length, a lower bound of its UTF-8 size. */
export function wireSize(item: WireData): number {
  return typeof item === "string" ? item.length : item.byteLength;
}

export class OutboundQueue {
  readonly maxBufferedBytes: number;
  private readonly graceMs: number;
  private readonly clock: Clock;
  private readonly schedule: (fn: () => void) => void;
  private items: WireData[] = [];
  private queued = 0;
  /** The sink's bufferedAmount as read at the last flush: keeps `push` free of runtime calls. */
  private lastBuffered = 0;
  private scheduled = false;
  private graceTimer: TimerHandle | undefined;
  private tripped = false;
  private disposed = false;
  private readonly flushTask = () => {
    this.scheduled = false;
    this.flush();
  };

  constructor(private readonly sink: OutboundSink, opts: OutboundOptions = {}) {
    this.maxBufferedBytes = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
    this.clock = opts.clock ?? systemClock;
    this.schedule = opts.schedule ?? atEndOfTurn;
  }

  /** Encoded bytes waiting for the end of the turn. */
  get queuedBytes(): number {
    return this.queued;
  }

  /** Queued bytes plus what the runtime still buffers for the socket. */
  get totalBytes(): number {
    return this.queued + this.sink.bufferedAmount;
  }

  get overLimit(): boolean {
    return this.totalBytes > this.maxBufferedBytes;
  }

  /** Queues one encoded item of `size` bytes; the flush runs once, at the end of the turn. */
  push(item: WireData, size: number): void {
    if (this.disposed) return;
    this.items.push(item);
    this.queued += size;
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(this.flushTask);
    }
    if (this.queued + this.lastBuffered > this.maxBufferedBytes) this.check();
  }

  /** Hands everything queued to the sink now (also used right before a close). */
  flush(): void {
    if (this.disposed || this.items.length === 0) return;
    const batch = this.items;
    this.items = [];
    this.queued = 0;
    this.sink.writeBatch(batch);
    this.lastBuffered = this.sink.bufferedAmount;
    if (this.lastBuffered > this.maxBufferedBytes || this.graceTimer) this.check();
  }

  /**
   * Re-evaluates the bound: starts the grace timer when over, clears it when back under, and
   * trips at twice the bound. Also called by the sink when the runtime reports a drain.
   */
  check(): void {
    if (this.disposed || this.tripped) return;
    const total = this.totalBytes;
    if (total >= 2 * this.maxBufferedBytes) {
      this.trip();
    } else if (total > this.maxBufferedBytes) {
      this.graceTimer ??= this.clock.setTimeout(() => {
        this.graceTimer = undefined;
        if (this.totalBytes > this.maxBufferedBytes) this.trip();
      }, this.graceMs);
    } else if (this.graceTimer) {
      this.clock.clearTimeout(this.graceTimer);
      this.graceTimer = undefined;
    }
  }

  /** Drops what is queued (a slow consumer will not read it anyway). */
  discard(): void {
    this.items = [];
    this.queued = 0;
  }

  /** Stops everything: no more flushes or timers. */
  dispose(): void {
    this.disposed = true;
    this.discard();
    if (this.graceTimer) this.clock.clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
  }

  private trip(): void {
    this.tripped = true;
    if (this.graceTimer) this.clock.clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.sink.slowConsumer();
  }
}
