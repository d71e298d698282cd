/**
 * What a runtime adapter (src/runtime/) hands the transport core: one connection, already
 * accepted (and, for WebSocket, already upgraded with a chosen subprotocol).
 *
 * Handlers (`onFrame`, `onData`, `onClose`, `onDrain`) are plain properties: the adapter
 * initialises them to no-ops and the core replaces them synchronously, before the adapter
 * delivers any data. An adapter must never let an exception from a handler escape into the
 * runtime's socket callback (that would end the process in Bun and Deno), but the core's
 * handlers do not throw either.
 */

/** A frame as a WebSocket delivers it: text frames as strings, binary frames as bytes. */
export type WireData = string | Uint8Array;

/** One WebSocket connection (server side after the upgrade, or a client socket). */
export interface FrameChannel {
  /** The negotiated WebSocket subprotocol, e.g. "wamp.2.json". */
  readonly protocol: string;
  readonly remoteAddress: string;
  readonly remotePort?: number;
  readonly tls: boolean;
  /** Bytes handed to `send` that the runtime has not yet written to the socket. */
  readonly bufferedAmount: number;
  /** Sends one frame: a string as a text frame, bytes as a binary frame. */
  send(data: WireData): void;
  /** Graceful close: already sent frames go out first, then a Close frame. */
  close(code?: number, reason?: string): void;
  /** Abrupt close, without a Close handshake (where the runtime has one). */
  terminate?(): void;
  /** Runs `fn` with the runtime's write batching on (Bun: `ws.cork`). */
  cork?(fn: () => void): void;
  onFrame: (data: WireData) => void;
  /** Called once when the connection is gone, whoever closed it. */
  onClose: (code: number, reason: string) => void;
  /** Called when buffered output went down after backpressure (where the runtime tells). */
  onDrain?: () => void;
}

/** One TCP (or TLS) byte-stream connection. */
export interface ByteChannel {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly tls: boolean;
  /** Bytes accepted by `write` but not yet handed to the kernel. */
  readonly bufferedBytes: number;
  /**
   * Queues bytes for the socket. Returns false when the socket's buffer is over its high-water
   * mark (the bytes are still accepted and will be written); `onDrain` fires when it empties.
   */
  write(bytes: Uint8Array): boolean;
  /** Half-closes after everything written so far has been sent. */
  end(): void;
  /** Closes now, discarding unsent bytes. */
  destroy(): void;
  onData: (chunk: Uint8Array) => void;
  /** Called once when the connection is gone; `error` when it ended because of one. */
  onClose: (error?: Error) => void;
  onDrain: () => void;
}

/** Opens an outgoing TCP connection (the runtime supplies it; see `Runtime.connectTcp`). */
export type TcpConnect = (options: TcpConnectOptions) => Promise<ByteChannel>;

export interface TcpConnectOptions {
  host: string;
  port: number;
  /** Wrap the connection in TLS. */
  tls?: boolean | { serverName?: string; ca?: string; rejectUnauthorized?: boolean };
  /** Give up connecting after this many milliseconds (default: the OS's timeout). */
  timeoutMs?: number;
}
