// A TCP proxy for tests that need to break a connection the way a network does, not the way a
// process does: `freeze()` stops forwarding in both directions while every socket stays open
// (a half-open link: no FIN, no RST, the peers just stop hearing from each other), `resume()`
// heals it, `cutAll()` drops every connection at once. Built on node:net so it runs under Bun
// and Deno alike.
//
// Frozen means paused, not dropped: the proxy stops reading from both sockets, so bytes (and a
// FIN) pile up in the kernel buffers exactly as TCP retransmission would deliver them after a
// partition heals. A connection accepted while frozen waits (no upstream connection yet) until
// resume(), like a SYN lost in the partition until the client retries.
import { createServer, type Server, type Socket, connect } from "node:net";

export interface ProxyTarget {
  host: string;
  port: number;
}

export interface TcpProxy {
  readonly host: string;
  /** The port the proxy listens on (127.0.0.1, picked by the OS). */
  readonly port: number;
  /** Where new connections are forwarded; change it with setTarget (open pairs keep theirs). */
  readonly target: ProxyTarget;
  setTarget(target: ProxyTarget): void;
  /** Stops forwarding both ways on every connection (and holds new ones) without closing anything. */
  freeze(): void;
  /** Forwards again: what was sent while frozen (data, FIN) is delivered, held connections proceed. */
  resume(): void;
  readonly frozen: boolean;
  /** Destroys every connection (both sides). */
  cutAll(): void;
  /** Client connections currently open through the proxy. */
  readonly connections: number;
  /** Client connections accepted since start. */
  readonly accepted: number;
  /** Cuts everything and stops listening. */
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream?: Socket;
  /** Set while frozen for a client accepted before it had an upstream. */
  held: boolean;
}

export function startTcpProxy(initialTarget: ProxyTarget): Promise<TcpProxy> {
  let target = { ...initialTarget };
  let frozen = false;
  let accepted = 0;
  const pairs = new Set<Pair>();

  const drop = (pair: Pair) => {
    if (!pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream?.destroy();
  };

  /** What happened while frozen (data, FIN, close), replayed in order on resume. */
  const waiting: Array<() => void> = [];

  // One side closed: the other is closed too, but only once the partition heals.
  const gone = (pair: Pair) => {
    if (frozen) waiting.push(() => drop(pair));
    else drop(pair);
  };

  // Not pipe(): pipe's drain handling may resume a source we paused to freeze it. And pause()
  // alone is not enough: Bun's node:net still emits "end" (and may emit buffered data) on a
  // paused socket, so whatever arrives while frozen is queued here and replayed on resume.
  const forward = (from: Socket, to: Socket) => {
    from.on("data", (chunk) => {
      if (frozen) {
        waiting.push(() => to.write(chunk));
        return;
      }
      if (!to.write(chunk)) from.pause();
    });
    to.on("drain", () => {
      if (!frozen) from.resume();
    });
    // A FIN from one side becomes a FIN to the other (half-close kept).
    from.on("end", () => {
      if (frozen) waiting.push(() => to.end());
      else to.end();
    });
  };

  const link = (pair: Pair) => {
    pair.held = false;
    const upstream = connect({ port: target.port, host: target.host, allowHalfOpen: true });
    pair.upstream = upstream;
    upstream.setNoDelay(true);
    forward(pair.client, upstream);
    forward(upstream, pair.client);
    upstream.on("error", () => gone(pair));
    upstream.on("close", () => gone(pair));
  };

  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    accepted++;
    client.setNoDelay(true);
    const pair: Pair = { client, held: frozen };
    pairs.add(pair);
    client.on("error", () => gone(pair));
    client.on("close", () => gone(pair));
    if (frozen) client.pause();
    else link(pair);
  });

  const setPaused = (pair: Pair, paused: boolean) => {
    for (const socket of [pair.client, pair.upstream]) {
      if (!socket) continue;
      if (paused) socket.pause();
      else socket.resume();
    }
  };

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (!address || typeof address === "string") {
        reject(new Error("tcp proxy: no port"));
        return;
      }
      resolve({
        host: "127.0.0.1",
        port: address.port,
        get target() {
          return { ...target };
        },
        setTarget(next) {
          target = { ...next };
        },
        freeze() {
          frozen = true;
          for (const pair of pairs) setPaused(pair, true);
        },
        resume() {
          frozen = false;
          // Old connections first (their pending FINs reach the other side before the held
          // connections start), then the ones that arrived during the partition.
          for (const replay of waiting.splice(0)) replay();
          for (const pair of pairs) if (!pair.held) setPaused(pair, false);
          const held: Pair[] = [];
          for (const pair of pairs) {
            if (pair.held) held.push(pair);
          }
          for (const pair of held) {
            link(pair);
            pair.client.resume();
          }
        },
        get frozen() {
          return frozen;
        },
        cutAll() {
          for (const pair of [...pairs]) drop(pair);
        },
        get connections() {
          return pairs.size;
        },
        get accepted() {
          return accepted;
        },
        close() {
          for (const pair of [...pairs]) drop(pair);
          return new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}
