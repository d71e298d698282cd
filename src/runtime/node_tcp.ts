import * as net from "node:net";
import * as tls from "node:tls";
import type { ByteChannel, TcpConnectOptions } from "../transport/channel.ts";
import type { Listening, ListenTcpOptions } from "./runtime.ts";

/**
 * TCP through node:net, which behaves the same under Bun, Deno and `bun build --compile`
 * binaries: one implementation of listen/connect for both runtimes.
 */

/** Wraps a connected socket. Socket errors end up in `onClose(error)`, never as exceptions. */
export function socketChannel(socket: net.Socket, isTls: boolean): ByteChannel {
  let error: Error | undefined;
  let closed = false;
  socket.setNoDelay(true);
  const channel: ByteChannel = {
    remoteAddress: socket.remoteAddress ?? "",
    remotePort: socket.remotePort ?? 0,
    tls: isTls,
    get bufferedBytes() {
      return socket.writableLength;
    },
    write: (bytes) => (socket.destroyed ? false : socket.write(bytes)),
    end: () => void socket.end(),
    destroy: () => void socket.destroy(),
    onData: () => {},
    onClose: () => {},
    onDrain: () => {},
  };
  socket.on("data", (chunk: Uint8Array) => {
    try {
      channel.onData(chunk);
    } catch {
      socket.destroy();
    }
  });
  socket.on("drain", () => {
    try {
      channel.onDrain();
    } catch { /* the core's handlers do not throw; never let one escape */ }
  });
  socket.on("error", (err: Error) => {
    error = err;
  });
  socket.on("close", () => {
    if (closed) return;
    closed = true;
    try {
      channel.onClose(error);
    } catch { /* see above */ }
  });
  return channel;
}

export function listenTcp(opts: ListenTcpOptions): Promise<Listening> {
  const sockets = new Set<net.Socket>();
  const onSocket = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    const channel = socketChannel(socket, opts.tls !== undefined);
    try {
      opts.onConnection(channel);
    } catch {
      socket.destroy();
    }
  };
  const server = opts.tls
    ? tls.createServer({ cert: opts.tls.cert, key: opts.tls.key }, onSocket)
    : net.createServer(onSocket);
  return new Promise((resolve, reject) => {
    const onError = (err: Error & { code?: string }) => {
      const why = err.code === "EADDRINUSE"
        ? `port ${opts.port} is in use`
        : err.code === "EACCES"
        ? `permission denied for port ${opts.port}`
        : err.message;
      reject(new Error(`Cannot listen on ${opts.host}:${opts.port}: ${why}`));
    };
    server.once("error", onError);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.off("error", onError);
      // A listening server's later errors (e.g. EMFILE on accept) must not crash the process.
      server.on("error", () => {});
      const addr = server.address() as net.AddressInfo;
      resolve({
        host: opts.host,
        port: addr.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
        // node:tls swaps the context for new handshakes (Bun 1.4.5 and Deno 2.9.5 both do).
        setTls: opts.tls ? async (t) => (server as tls.Server).setSecureContext({ cert: t.cert, key: t.key }) : undefined,
      });
    });
  });
}

/** Rejects with the cause ("connection refused", …); the caller names the address. */
export function connectTcp(opts: TcpConnectOptions): Promise<ByteChannel> {
  return new Promise((resolve, reject) => {
    const useTls = opts.tls !== undefined && opts.tls !== false;
    const tlsOpts = typeof opts.tls === "object" ? opts.tls : {};
    const socket: net.Socket = useTls
      ? tls.connect({
        host: opts.host,
        port: opts.port,
        servername: tlsOpts.serverName ?? (net.isIP(opts.host) ? undefined : opts.host),
        ca: tlsOpts.ca,
        rejectUnauthorized: tlsOpts.rejectUnauthorized ?? true,
      })
      : net.connect({ host: opts.host, port: opts.port });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fail = (err: Error & { code?: string }) => {
      if (timer) clearTimeout(timer);
      socket.destroy();
      const why = err.code === "ECONNREFUSED" ? "connection refused" : err.message;
      reject(new Error(why, { cause: err }));
    };
    if (opts.timeoutMs) {
      timer = setTimeout(() => fail(new Error(`no connection within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    }
    socket.once("error", fail);
    socket.once(useTls ? "secureConnect" : "connect", () => {
      if (timer) clearTimeout(timer);
      socket.off("error", fail);
      resolve(socketChannel(socket, useTls));
    });
  });
}
