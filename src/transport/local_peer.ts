import type { Message } from "../wamp/messages.ts";
import type { Peer, PeerDetails } from "../wamp/peer.ts";

export interface LinkedPeersOptions {
  /** Messages queued towards one side before that side counts as a slow consumer. */
  maxQueued?: number;
  details?: Partial<PeerDetails>;
}

/**
 * An in-memory pair of Peers: what one sends, the other receives. Used by unit tests, by
 * internal sessions (meta API, gateway, edge) and by in-process clients.
 *
 * Delivery is asynchronous (one microtask drains the whole queue), so a handler never runs
 * inside the sender's stack: the router sees the same ordering and re-entrancy rules as with
 * a socket. Messages are passed by reference, never copied: both sides must treat them as
 * immutable.
 */
export function linkedPeers(opts: LinkedPeersOptions = {}): [Peer, Peer] {
  const maxQueued = opts.maxQueued ?? 100_000;
  const details: PeerDetails = { transport: "local", serializer: "local", ...opts.details };
  const a = new LocalPeer(details, maxQueued);
  const b = new LocalPeer(details, maxQueued);
  a.other = b;
  b.other = a;
  return [a, b];
}

class LocalPeer implements Peer {
  other!: LocalPeer;
  onMessage: (msg: Message) => void = () => {};
  onClose: () => void = () => {};
  closed = false;
  private inbox: Message[] = [];
  private scheduled = false;
  private closeNotified = false;

  constructor(readonly details: PeerDetails, private readonly maxQueued: number) {}

  /** Messages waiting in the other side's inbox (what this side has sent, not yet read). */
  get buffered(): number {
    return this.other.inbox.length;
  }

  get overLimit(): boolean {
    return this.buffered >= this.maxQueued;
  }

  send(msg: Message): boolean {
    if (this.closed || this.overLimit) return false;
    this.other.receive(msg);
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.other.closed = true;
    // Let messages already sent arrive first, as a socket flushes before FIN.
    this.other.schedule();
    this.schedule();
  }

  private receive(msg: Message): void {
    this.inbox.push(msg);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    const batch = this.inbox;
    this.inbox = [];
    for (const msg of batch) {
      try {
        this.onMessage(msg);
      } catch {
        // A handler must not break delivery of the rest of the batch; the router reports
        // its own errors.
      }
    }
    if (this.closed && !this.closeNotified) {
      this.closeNotified = true;
      this.onClose();
    }
  }
}
