import type { FrameChannel } from "../transport/channel.ts";
import { decideUpgrade, noop, textResponse } from "./_upgrade.ts";
import { connectTcp, listenTcp } from "./node_tcp.ts";
import type { Listening, Runtime, ServeWebSocketOptions } from "./runtime.ts";

// Local structural slice of the Bun API used here (no bun-types dependency at runtime).
interface BunServerWebSocket {
  send(data: string | Uint8Array): number;
  close(code?: number, reason?: string): void;
  terminate(): void;
  cork(cb: () => void): unknown;
  getBufferedAmount(): number;
  readonly remoteAddress: string;
  binaryType?: string;
  data: WsData;
}
interface BunServer {
  readonly port: number;
  upgrade(req: Request, opts: { headers?: Record<string, string>; data?: WsData }): boolean;
  requestIP(req: Request): { address: string; port: number } | null;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}
interface BunServeOptions {
  hostname: string;
  port: number;
  tls?: { cert: string; key: string };
  fetch(req: Request, server: BunServer): Response | Promise<Response> | undefined;
  error?(err: Error): Response;
  websocket: {
    maxPayloadLength: number;
    backpressureLimit: number;
    closeOnBackpressureLimit: boolean;
    idleTimeout: number;
    sendPings: boolean;
    open(ws: BunServerWebSocket): void;
    message(ws: BunServerWebSocket, msg: string | Uint8Array): void;
    drain(ws: BunServerWebSocket): void;
    close(ws: BunServerWebSocket, code: number, reason: string): void;
  };
}
declare const Bun: {
  serve(opts: BunServeOptions): BunServer;
  readonly env: Record<string, string | undefined>;
  readonly argv: string[];
  file(path: string): { text(): Promise<string> };
};
declare const process: {
  on(sig: string, fn: () => void): void;
  off(sig: string, fn: () => void): void;
  exit(code: number): never;
};

interface WsData {
  protocol: string;
  remoteAddress?: string;
  remotePort?: number;
  channel?: FrameChannel;
}

export function createBunRuntime(): Runtime {
  return {
    name: "bun",
    serveWebSocket,
    listenTcp,
    connectTcp,
    env: (name) => Bun.env[name],
    args: () => Bun.argv.slice(2),
    readTextFile: (path) => Bun.file(path).text(),
    onSignal(sig, fn) {
      process.on(sig, fn);
      return () => process.off(sig, fn);
    },
    exit: (code) => process.exit(code),
  };
}

function serveWebSocket(opts: ServeWebSocketOptions): Promise<Listening> {
  const open = new Set<BunServerWebSocket>();
  let server: BunServer;
  /** Servers replaced by setTls: no longer listening, still carrying their open connections. */
  const retired: BunServer[] = [];
  let current = opts.tls;
  const start = (port: number, tls: ServeWebSocketOptions["tls"]) =>
    Bun.serve({
      hostname: opts.host,
      port,
      tls,
      fetch(req, srv) {
        try {
          const decision = decideUpgrade(req, opts);
          if (!decision.upgrade) return decision.response;
          const ip = srv.requestIP(req);
          const data: WsData = { protocol: decision.protocol, remoteAddress: ip?.address, remotePort: ip?.port };
          // The WAMP subprotocol is chosen here, not by Bun (which would echo the first offer).
          if (srv.upgrade(req, { headers: { "Sec-WebSocket-Protocol": decision.protocol }, data })) {
            return undefined;
          }
          return textResponse(400, "WebSocket upgrade failed\n");
        } catch (err) {
          return textResponse(500, `Internal error: ${err instanceof Error ? err.message : err}\n`);
        }
      },
      error: (err) => textResponse(500, `Internal error: ${err.message}\n`),
      websocket: {
        maxPayloadLength: opts.maxMessageLength ?? 16 * 1024 * 1024,
        // The core's outbound queue enforces the slow-consumer bound; Bun must never drop a
        // frame on its own (past this limit `send` would drop and return 0).
        backpressureLimit: 2 ** 31,
        closeOnBackpressureLimit: false,
        idleTimeout: opts.idleTimeoutSeconds ?? 120,
        sendPings: true,
        open(ws) {
          open.add(ws);
          // Uint8Array as Bun makes it. The binary decoders do not read its `.buffer` on the
          // common path (that getter allocates the buffer object anew for such arrays, ~7% of
          // a MessagePack router's CPU when every decode did it; bench/OPTIMISATIONS.md).
          ws.binaryType = "uint8array";
          const channel = bunChannel(ws, opts.tls !== undefined);
          ws.data.channel = channel;
          try {
            opts.onConnection(channel);
          } catch {
            ws.terminate();
          }
        },
        message(ws, msg) {
          try {
            ws.data.channel?.onFrame(msg);
          } catch { /* the core's handlers do not throw; never let one escape */ }
        },
        drain(ws) {
          try {
            ws.data.channel?.onDrain?.();
          } catch { /* see above */ }
        },
        close(ws, code, reason) {
          open.delete(ws);
          try {
            ws.data.channel?.onClose(code, reason);
          } catch { /* see above */ }
        },
      },
    });
  try {
    server = start(opts.port, opts.tls);
  } catch (err) {
    return Promise.reject(listenError(opts, err));
  }
  return Promise.resolve({
    host: opts.host,
    port: server.port,
    async close() {
      for (const ws of open) ws.close(1001, "server shutting down");
      await Promise.all([server, ...retired].map((s) => s.stop(true)));
    },
    // Bun.serve's reload() ignores `tls` (oven-sh/bun#43815), so a new server takes over the
    // port: the old one stops listening (stop(false) keeps its connections) and the new one
    // binds the same port right after (well under a millisecond without a listener).
    setTls: opts.tls
      ? async (tls) => {
        const port = server.port;
        const old = server;
        void old.stop(false);
        retired.push(old);
        try {
          server = start(port, tls);
          current = tls;
        } catch (err) {
          server = start(port, current); // the port is ours again a moment later: keep serving
          throw listenError(opts, err);
        }
      }
      : undefined,
  });
}

function bunChannel(ws: BunServerWebSocket, tls: boolean): FrameChannel {
  return {
    protocol: ws.data.protocol,
    remoteAddress: ws.data.remoteAddress ?? ws.remoteAddress,
    remotePort: ws.data.remotePort,
    tls,
    get bufferedAmount() {
      return ws.getBufferedAmount();
    },
    send(data) {
      // 0 = dropped: the connection is broken (or past backpressureLimit). Never lose a
      // frame silently on a connection that stays open.
      if (ws.send(data) === 0) ws.terminate();
    },
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    cork: (fn) => void ws.cork(fn),
    onFrame: noop,
    onClose: noop,
    onDrain: noop,
  };
}

function listenError(opts: ServeWebSocketOptions, err: unknown): Error {
  const msg = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string }).code;
  const why = code === "EADDRINUSE" || /in use/i.test(msg) ? `port ${opts.port} is in use` : msg;
  return new Error(`Cannot listen on ${opts.host}:${opts.port}: ${why}`);
}
