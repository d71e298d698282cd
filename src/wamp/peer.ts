import type { Message } from "./messages.ts";

/** Transport facts a session may expose (meta API, logs, RBAC sources later). */
export interface PeerDetails {
  /** "websocket" | "rawsocket" | "local" */
  transport: string;
  /** "json" | "msgpack" | "cbor" | "local" */
  serializer: string;
  remoteAddress?: string;
  remotePort?: number;
  tls?: boolean;
}

/**
 * A message-level connection: the only thing the router sees of a transport.
 *
 * - `send` queues a message for delivery; it never throws. It returns false when the message
 *   was NOT accepted: the peer is closed or closing, the message cannot be encoded, or it is
 *   larger than the peer accepts. Over the outbound bound (`overLimit`) messages are still
 *   accepted; the transport closes a peer that stays over it (slow consumer).
 * - `close` ends the transport (after flushing what is queued, where the transport can).
 * - handlers are set once by whoever owns the peer (the router).
 */
export interface Peer {
  readonly details: PeerDetails;
  send(msg: Message): boolean;
  close(code?: number, reason?: string): void;
  onMessage: (msg: Message) => void;
  /** Called once when the transport is gone (closed by either side). */
  onClose: () => void;
  /** Bytes (or, for in-memory peers, messages) queued but not yet handed to the OS. */
  readonly buffered: number;
  /** True while the outbound buffer is over the configured bound (slow consumer). */
  readonly overLimit: boolean;
  readonly closed: boolean;
}
