import type { Dict, Payload } from "../src/wamp/mod.ts";

/** One exported publication waiting for the core. */
export interface BufferedPublication {
  topic: string;
  payload: Payload;
  options: Dict;
}

export type OverflowPolicy = "drop_oldest" | "drop_newest";

/**
 * Exported publications made while the uplink is down, delivered in order once it is back.
 * Bounded: at `maxMessages` the overflow policy drops either the oldest queued publication
 * (recent state matters most, the default for telemetry) or the new one (keep the start of
 * a sequence). Dropped publications are counted, never silently lost.
 */
export class PublicationBuffer {
  private items: BufferedPublication[] = [];
  private head = 0;
  dropped = 0;

  constructor(readonly maxMessages: number, readonly overflow: OverflowPolicy) {
    if (!Number.isInteger(maxMessages) || maxMessages < 0) throw new Error(`buffer.maxMessages must be a whole number >= 0, got ${maxMessages}`);
    if (overflow !== "drop_oldest" && overflow !== "drop_newest") throw new Error(`buffer.overflow must be "drop_oldest" or "drop_newest", got ${JSON.stringify(overflow)}`);
  }

  get depth(): number {
    return this.items.length - this.head;
  }

  /** Queues `p`; returns how many publications were dropped to respect the bound (0 or 1). */
  push(p: BufferedPublication): number {
    if (this.maxMessages === 0) {
      this.dropped++;
      return 1;
    }
    if (this.depth < this.maxMessages) {
      this.items.push(p);
      return 0;
    }
    this.dropped++;
    if (this.overflow === "drop_newest") return 1;
    this.head++;
    this.items.push(p);
    this.compact();
    return 1;
  }

  /** Removes and returns everything queued, oldest first. */
  drain(): BufferedPublication[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }

  // Amortized O(1) shift: the array is cut only once half of it is consumed.
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
