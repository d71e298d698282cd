// Fakes behind the uplink's interfaces (UplinkTransport, UplinkConnection, UplinkBridge) so the
// state machine runs on a manual clock without sockets or a router.
import { linkedPeers } from "../../src/transport/mod.ts";
import type { Peer } from "../../src/wamp/mod.ts";
import { createLogger, type ManualClock } from "../../src/util/mod.ts";
import { connectionOver } from "../../edge/link_transport.ts";
import type { BridgeStatusView, UplinkBridge, UplinkConnection, UplinkTransport } from "../../edge/uplink.ts";

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets promise callbacks (and linked peers' microtask deliveries) run. */
export const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
};

export class FakeConnection {
  /** The core's end of each realm session's peer. */
  readonly remotes: Peer[] = [];
  closedWith?: string;
  terminated = false;
  lastReceived: number;
  readonly pings: Array<Deferred<number>> = [];
  private fire: (reason: string) => void = () => {};
  /** Runs inside terminate() (e.g. a bridge reporting its session lost, synchronously). */
  onTerminate: () => void = () => {};
  readonly conn: UplinkConnection;

  constructor(private readonly clock: ManualClock, remoteNode = "core-1") {
    this.lastReceived = clock.now();
    this.conn = connectionOver({
      remoteNode,
      peer: (i) => {
        const [edge, core] = linkedPeers();
        this.remotes[i] = core;
        return edge;
      },
      keepalives: [{
        lastReceivedAt: () => this.lastReceived,
        ping: () => {
          const d = deferred<number>();
          this.pings.push(d);
          return d.promise;
        },
      }],
      close: (reason) => {
        this.closedWith = reason;
        for (const p of this.remotes) p?.close();
        this.fire(reason);
      },
      terminate: () => {
        this.terminated = true;
        this.onTerminate();
        this.fire("terminated");
      },
      listen: (fn) => {
        this.fire = fn;
      },
    });
  }

  /** The core (or the network) ends the connection. */
  lose(reason = "carrier closed"): void {
    for (const p of this.remotes) p?.close();
    this.fire(reason);
  }
}

export class FakeTransport implements UplinkTransport {
  readonly attempts: Array<Deferred<UplinkConnection> & { handshaking: () => void }> = [];
  connect(onHandshaking?: () => void): Promise<UplinkConnection> {
    const d = deferred<UplinkConnection>();
    this.attempts.push({ ...d, handshaking: onHandshaking ?? (() => {}) });
    return d.promise;
  }
  get last(): Deferred<UplinkConnection> & { handshaking: () => void } {
    return this.attempts[this.attempts.length - 1];
  }
}

export class FakeBridge implements UplinkBridge {
  started = 0;
  stopped = 0;
  readonly joins: Array<{ peer: Peer; d: Deferred<void> }> = [];
  readonly disconnects: string[] = [];
  state: "down" | "joining" | "up" = "down";

  constructor(readonly localRealm: string, readonly remoteRealm = localRealm) {}

  start(): Promise<void> {
    this.started++;
    return Promise.resolve();
  }
  connect(peer: Peer): Promise<void> {
    const d = deferred<void>();
    this.joins.push({ peer, d });
    this.state = "joining";
    return d.promise.then(() => {
      this.state = "up";
    });
  }
  disconnected(reason: string): void {
    this.state = "down";
    this.disconnects.push(reason);
  }
  /** What stop() returns (a bridge whose GOODBYE is never answered: a promise that never settles). */
  stopResult: Promise<void> = Promise.resolve();
  /** Runs when stop() is called (to see what was still open then). */
  onStop: () => void = () => {};
  stop(): Promise<void> {
    this.stopped++;
    this.onStop();
    return this.stopResult;
  }
  status(): BridgeStatusView {
    return {
      localRealm: this.localRealm, remoteRealm: this.remoteRealm, state: this.state, bufferDepth: 0, bufferDropped: 0,
      forwarded: { calls: 0, invocations: 0, eventsOut: 0, eventsIn: 0 },
    };
  }
  /** Resolves the latest join. */
  joined(): void {
    this.joins[this.joins.length - 1].d.resolve();
  }
}

/** A logger that keeps parsed lines. */
export function memoryLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: "debug", format: "json", write: (l) => lines.push(JSON.parse(l)) });
  return { logger, lines };
}
