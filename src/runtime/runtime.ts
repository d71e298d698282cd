import type { ByteChannel, FrameChannel, TcpConnect } from "../transport/channel.ts";

/**
 * Everything that differs between Bun and Deno. Chosen once at the composition root
 * (`detectRuntime()`) and passed in; nothing else under src/ touches `Bun.*` or `Deno.*`.
 */
export interface Runtime {
  readonly name: "bun" | "deno";
  /** HTTP server that upgrades `path` to WAMP-over-WebSocket. */
  serveWebSocket(opts: ServeWebSocketOptions): Promise<Listening>;
  /** TCP (or TLS) listener, node:net based in both runtimes. */
  listenTcp(opts: ListenTcpOptions): Promise<Listening>;
  /** Outgoing TCP (or TLS) connection, node:net based in both runtimes. */
  connectTcp: TcpConnect;
  env(name: string): string | undefined;
  /** Command-line arguments after the script (or the compiled binary). */
  args(): string[];
  readTextFile(path: string): Promise<string>;
  /** Registers a signal handler; returns a function that removes it. */
  onSignal(sig: "SIGINT" | "SIGTERM" | "SIGHUP", fn: () => void): () => void;
  exit(code: number): never;
}

export interface Listening {
  host: string;
  /** The port actually bound (also when 0 was asked for). */
  port: number;
  /** Stops accepting and closes open connections. */
  close(): Promise<void>;
  /**
   * TLS listeners: serves `tls` to new connections from now on; open connections keep theirs.
   * Absent where the runtime cannot (Deno's WebSocket server: Deno.serve has no way to swap it).
   */
  setTls?(tls: TlsCertificate): Promise<void>;
}

/** PEM-encoded certificate chain and private key (file contents, not paths). */
export interface TlsCertificate {
  cert: string;
  key: string;
}

export interface ServeWebSocketOptions {
  host: string;
  port: number;
  /** URL path that upgrades, e.g. "/ws". Other paths get 404 (or `onRequest`). */
  path: string;
  /** The supported subprotocols, named in the 400/426 texts (pass them: clients need the hint). */
  protocols?: readonly string[];
  /** Picks the subprotocol among the offered ones (client's order), or none: 400. */
  selectProtocol(offered: string[]): string | undefined;
  /** Called for each upgraded connection, before any frame is delivered. */
  onConnection(channel: FrameChannel): void;
  /** Called for each refused upgrade with the reason given to the client (for logs). */
  onRefused?(reason: string): void;
  /** Serves requests to other paths (e.g. the HTTP gateway); default: 404. */
  onRequest?(req: Request): Response | Promise<Response>;
  /** Largest incoming WebSocket message, in bytes. Default 16 MiB. */
  maxMessageLength?: number;
  /** Seconds without traffic before a connection counts as dead (pings are sent before). */
  idleTimeoutSeconds?: number;
  tls?: TlsCertificate;
}

export interface ListenTcpOptions {
  host: string;
  port: number;
  onConnection(channel: ByteChannel): void;
  tls?: TlsCertificate;
}
