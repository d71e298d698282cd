import type { FrameChannel } from "../transport/channel.ts";
import { decideUpgrade, noop, textResponse } from "./_upgrade.ts";
import { connectTcp, listenTcp } from "./node_tcp.ts";
import type { Listening, Runtime, ServeWebSocketOptions } from "./runtime.ts";

// Local structural slice of the Deno API used here.
interface DenoNetAddr {
  hostname: string;
  port: number;
}
interface DenoHttpServer {
  readonly addr: DenoNetAddr;
  readonly finished: Promise<void>;
  shutdown(): Promise<void>;
}
declare const Deno: {
  serve(
    opts: {
      hostname: string;
      port: number;
      cert?: string;
      key?: string;
      onListen?(addr: DenoNetAddr): void;
      onError?(err: unknown): Response;
    },
    handler: (req: Request, info: { remoteAddr: DenoNetAddr }) => Response | Promise<Response>,
  ): DenoHttpServer;
  upgradeWebSocket(req: Request, opts?: { idleTimeout?: number }): { socket: WebSocket; response: Response };
  env: { get(name: string): string | undefined };
  readonly args: string[];
  readTextFile(path: string): Promise<string>;
  addSignalListener(sig: string, fn: () => void): void;
  removeSignalListener(sig: string, fn: () => void): void;
  exit(code: number): never;
};

export function createDenoRuntime(): Runtime {
  return {
    name: "deno",
    serveWebSocket,
    listenTcp,
    connectTcp,
    env: (name) => Deno.env.get(name),
    args: () => [...Deno.args],
    readTextFile: (path) => Deno.readTextFile(path),
    onSignal(sig, fn) {
      Deno.addSignalListener(sig, fn);
      return () => Deno.removeSignalListener(sig, fn);
    },
    exit: (code) => Deno.exit(code),
  };
}

function serveWebSocket(opts: ServeWebSocketOptions): Promise<Listening> {
  const open = new Set<WebSocket>();
  const tls = opts.tls !== undefined;
  return new Promise((resolve, reject) => {
    let server: DenoHttpServer;
    const handler = (req: Request, info: { remoteAddr: DenoNetAddr }): Response | Promise<Response> => {
      try {
        const decision = decideUpgrade(req, opts);
        if (!decision.upgrade) return decision.response;
        // Read before upgrading: after Deno.upgradeWebSocket, info.remoteAddr throws
        // "Request closed" (Deno 2.9).
        const remote = { hostname: info.remoteAddr.hostname, port: info.remoteAddr.port };
        const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout: opts.idleTimeoutSeconds ?? 120 });
        // The WAMP subprotocol is chosen here: Deno answers with the one we set.
        response.headers.set("Sec-WebSocket-Protocol", decision.protocol);
        socket.binaryType = "arraybuffer";
        const channel = denoChannel(socket, decision.protocol, remote, tls);
        socket.onopen = () => {
          open.add(socket);
          try {
            opts.onConnection(channel);
          } catch {
            socket.close();
          }
        };
        socket.onmessage = (ev: MessageEvent) => {
          try {
            const d = ev.data;
            channel.onFrame(typeof d === "string" ? d : new Uint8Array(d as ArrayBuffer));
          } catch { /* the core's handlers do not throw; never let one escape */ }
        };
        socket.onerror = noop;
        socket.onclose = (ev: CloseEvent) => {
          open.delete(socket);
          try {
            channel.onClose(ev.code, ev.reason);
          } catch { /* see above */ }
        };
        return response;
      } catch (err) {
        return textResponse(500, `Internal error: ${err instanceof Error ? err.message : err}\n`);
      }
    };
    try {
      server = Deno.serve({
        hostname: opts.host,
        port: opts.port,
        cert: opts.tls?.cert,
        key: opts.tls?.key,
        onListen: (addr) =>
          resolve({
            host: opts.host,
            port: addr.port,
            async close() {
              for (const s of open) s.close(1000, "server shutting down");
              await server.shutdown();
            },
          }),
        onError: (err) => textResponse(500, `Internal error: ${err instanceof Error ? err.message : err}\n`),
      }, handler);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      const why = /in use/i.test(msg) ? `port ${opts.port} is in use` : msg;
      reject(new Error(`Cannot listen on ${opts.host}:${opts.port}: ${why}`));
    }
  });
}

function denoChannel(socket: WebSocket, protocol: string, remote: DenoNetAddr, tls: boolean): FrameChannel {
  return {
    protocol,
    remoteAddress: remote.hostname,
    remotePort: remote.port,
    tls,
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    send(data) {
      if (socket.readyState === WebSocket.OPEN) socket.send(data);
    },
    close(code, reason) {
      try {
        // Deno's server-side sockets accept the protocol codes (1002, 1008, 1009) too.
        socket.close(code, reason);
      } catch {
        socket.close();
      }
    },
    onFrame: noop,
    onClose: noop,
  };
}
