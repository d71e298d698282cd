import type { Config, ListenerConfig } from "./config.ts";
import { createRouter, type Router } from "./router/mod.ts";
import type { Runtime, Listening, TlsCertificate } from "./runtime/runtime.ts";
import { loadListenerTls } from "./tls_config.ts";
import { acceptEdgeWebSocket, acceptRawSocket, acceptWebSocket, EDGE_SUBPROTOCOL, linkedPeers, selectSubprotocol } from "./transport/mod.ts";
import type { EdgeLinkAcceptOptions, OutboundOptions } from "./transport/mod.ts";
import { serializerBySubprotocol, serializers } from "./wamp/serializers/mod.ts";
import { Counters } from "./util/counters.ts";
import { PeerMetrics } from "./gateway/peer_metrics.ts";
import { opsHandler } from "./gateway/ops.ts";
import type { MetricFamily } from "./util/metrics.ts";
import type { Peer } from "./wamp/peer.ts";
import { type Logger, silentLogger } from "./util/log.ts";
import { VERSION } from "./version.ts";
import { derivePasswordCredentials, deriveTicketCredential } from "./auth/credentials.ts";
import { createTicketIssuer, type TicketIssuer } from "./auth/mod.ts";
import { seedSecurity } from "./security_seed.ts";
import { routedRealms, seedAdminRealm } from "./admin_realm_seed.ts";
import {
  createMemoryStore, createSecurityRepository, openSqliteStore, type SecurityRepository, type Store,
} from "./store/mod.ts";

export interface ServerOptions {
  runtime: Runtime;
  logger?: Logger;
}

export interface BoundListener {
  name: string;
  transport: string;
  host: string;
  port: number;
  /** ws://host:port/path for WebSocket listeners. */
  url?: string;
}

export interface TlsReloadResult {
  listener: string;
  ok: boolean;
  error?: string;
}

export interface RunningServer {
  router: Router;
  listeners: BoundListener[];
  counters: Counters;
  /** The realms' security state (users, groups, grants, sources), durable in the store. */
  security: SecurityRepository;
  /** Issues and revokes router-signed tickets (ticket method); for `bondy.ticket.issue`. */
  ticketIssuer: TicketIssuer;
  /**
   * Re-reads every TLS listener's cert and key files and serves them to new connections; open
   * sessions keep going. A listener whose files are bad keeps its previous certificate.
   */
  reloadTls(): Promise<TlsReloadResult[]>;
  /**
   * Adds metric families to /metrics, built at each scrape (mod.ts adds the edge's uplinks).
   * Returns a function that removes them. A collector that throws is skipped for that scrape.
   */
  addMetrics(collect: () => MetricFamily[]): () => void;
  /** Closes listeners, says GOODBYE to every session, waits briefly for the goodbyes to flush. */
  stop(): Promise<void>;
}

/**
 * The composition root: builds the router from config and hands it the peers every listener
 * produces. Nothing below this file knows about config files or listeners.
 */
export async function startServer(config: Config, opts: ServerOptions): Promise<RunningServer> {
  const log = opts.logger ?? silentLogger;
  const counters = new Counters();
  const { store, security } = await openSecurity(config, log, counters);
  // The signing key (created on first boot) and the revocations live in the store, so
  // router-issued tickets and their revocations outlive a restart.
  const ticketIssuer = createTicketIssuer({ state: store });
  seedAdminRealm(security, config, log);
  const router = createRouter({
    // The config's realms, the admin realm, and realms the admin API created before a restart.
    realms: routedRealms(config, security),
    security,
    auth: {
      ticketIssuer,
      backoff: { baseMs: config.limits.authFailureDelayMs, maxMs: config.limits.authFailureMaxDelayMs },
      authenticateTimeoutMs: config.limits.authenticateTimeoutMs,
    },
    admin: { realm: config.adminRealm, derivePassword: (pw, o) => derivePasswordCredentials(pw, o), deriveTicket: (t) => deriveTicketCredential(t), ticketIssuer },
    logger: log,
    counters,
    agent: `causeway-${VERSION}`,
    // Internal sessions (the WAMP meta API) join over in-memory peer pairs.
    linkPeers: () => linkedPeers(),
    limits: {
      maxSessions: config.limits.maxSessions,
      helloTimeoutMs: config.limits.helloTimeoutMs,
      requestsPerSecond: config.limits.requestsPerSecond,
      requestBurst: config.limits.requestBurst,
    },
  });
  const outbound: OutboundOptions = {
    maxBufferedBytes: config.limits.outboundBufferBytes,
    graceMs: config.limits.slowConsumerGraceMs,
    onSlowConsumer: (peer) => {
      counters.inc("slow_consumers_closed");
      log.warn("closed slow consumer", { remote: peer.details.remoteAddress, transport: peer.details.transport });
    },
  };
  // Operations surface (/ping, /ready, /metrics): on every WebSocket listener's HTTP server
  // and, with config `http`, on its own listener. Peers are wrapped to count messages.
  const peerMetrics = new PeerMetrics();
  const extraMetrics = new Set<() => MetricFamily[]>();
  let ready = false;
  let storeOpen = true;
  const ops = {
    wrap: (peer: Peer) => peerMetrics.wrap(peer),
    onRequest: opsHandler({
      router, counters, peers: peerMetrics,
      notReady: () => (!storeOpen ? "store closed" : !ready ? "starting: not all listeners are bound yet" : undefined),
      extraMetrics: () => [...extraMetrics].flatMap((collect) => {
        try {
          return collect();
        } catch (err) {
          log.warn("a metrics collector failed; its families are left out of this scrape", { error: (err as Error).message });
          return [];
        }
      }),
    }),
  };
  const open: Listening[] = [];
  const bound: BoundListener[] = [];
  /** Listeners with TLS, for reloadTls (SIGHUP). */
  const tlsListeners: { l: ListenerConfig; listening: Listening }[] = [];
  const readFile = (path: string) => opts.runtime.readTextFile(path);
  try {
    for (const l of config.listeners) {
      const maxMessageLength = l.maxMessageSize ?? config.limits.maxMessageSize;
      const tls = await loadListenerTls(l, readFile);
      const listening = await listen(l, opts.runtime, router, { maxMessageLength, outbound, logger: log }, ops, tls, config.node);
      open.push(listening);
      if (tls) tlsListeners.push({ l, listening });
      const b: BoundListener = { name: l.name, transport: l.transport, host: listening.host, port: listening.port };
      if (l.transport === "websocket") b.url = `${tls ? "wss" : "ws"}://${urlHost(listening.host)}:${listening.port}${l.path}`;
      bound.push(b);
      log.info("listening", { listener: b.name, transport: b.transport, host: b.host, port: b.port, url: b.url });
    }
    if (config.http) {
      const h = config.http;
      const listening = await listenHttp(h.host, h.port, opts.runtime, ops.onRequest);
      open.push(listening);
      const b: BoundListener = { name: "http", transport: "http", host: listening.host, port: listening.port };
      b.url = `http://${urlHost(listening.host)}:${listening.port}/metrics`;
      bound.push(b);
      log.info("listening", { listener: b.name, transport: b.transport, host: b.host, port: b.port, url: b.url });
    }
  } catch (err) {
    await Promise.allSettled(open.map((o) => o.close()));
    store.close();
    throw err;
  }
  ready = true;
  log.info("ready", { version: VERSION, runtime: opts.runtime.name, realms: config.realms.map((r) => r.name) });

  return {
    router,
    listeners: bound,
    counters,
    security,
    ticketIssuer,
    addMetrics(collect) {
      extraMetrics.add(collect);
      return () => extraMetrics.delete(collect);
    },
    async reloadTls() {
      const results: TlsReloadResult[] = [];
      for (const { l, listening } of tlsListeners) {
        try {
          if (!listening.setTls) throw new Error(`the ${opts.runtime.name} runtime cannot swap the certificate of a ${l.transport} listener in place; restart to apply`);
          const tls = await loadListenerTls(l, readFile);
          await listening.setTls(tls!);
          counters.inc("tls_reloads");
          log.info("tls reloaded", { listener: l.name, cert: l.tls!.cert });
          results.push({ listener: l.name, ok: true });
        } catch (err) {
          counters.inc("tls_reload_failures");
          log.error("tls reload failed; the listener keeps its previous certificate", { listener: l.name, error: (err as Error).message });
          results.push({ listener: l.name, ok: false, error: (err as Error).message });
        }
      }
      return results;
    },
    async stop() {
      // GOODBYE first, while the connections are still open (closing a listener also closes
      // its connections); new connections meanwhile are refused by the router.
      router.shutdown();
      // Give the GOODBYE frames a moment to leave the process.
      await new Promise((r) => setTimeout(r, 100));
      ready = false;
      await Promise.allSettled(open.map((o) => o.close()));
      storeOpen = false;
      store.close();
    },
  };
}

/**
 * Opens the store (`store.dataDir`, or memory for ":memory:"), builds the security repository
 * over it and applies the realms' config security sections. Errors name the path and the fix
 * (StoreError) and end the start cleanly instead of crashing in a loop.
 */
async function openSecurity(config: Config, log: Logger, counters: Counters): Promise<{ store: Store; security: SecurityRepository }> {
  const dataDir = config.store.dataDir;
  const store = countingStoreErrors(dataDir === ":memory:" ? createMemoryStore() : openSqliteStore({ dataDir }), counters);
  log.info("store opened", { location: store.location });
  const security = createSecurityRepository(store);
  try {
    await seedSecurity(security, store, config.realms, { derivePasswordCredentials, deriveTicketCredential }, log);
  } catch (err) {
    store.close();
    throw new Error(`Cannot apply the realms' security config to the store ${store.location}: ${(err as Error).message}`);
  }
  return { store, security };
}

/** The store with every failed operation counted as `store_errors` (for /metrics); errors still throw. */
export function countingStoreErrors(store: Store, counters: Counters): Store {
  const counted = <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A): R => {
    try {
      return fn(...args);
    } catch (err) {
      counters.inc("store_errors");
      throw err;
    }
  };
  return {
    get location() { return store.location; },
    get: counted((key: string) => store.get(key)) as Store["get"],
    put: counted((key: string, value: unknown) => store.put(key, value)),
    delete: counted((key: string) => store.delete(key)),
    list: counted((prefix: string) => store.list(prefix)) as Store["list"],
    batch: counted((ops: Parameters<Store["batch"]>[0]) => store.batch(ops)),
    close: () => store.close(),
  };
}

async function listen(
  l: ListenerConfig,
  runtime: Runtime,
  router: Router,
  peerOpts: { maxMessageLength: number; outbound: OutboundOptions; logger: Logger },
  ops: { wrap: (peer: Peer) => Peer; onRequest: (req: Request) => Response | Promise<Response> },
  tls?: TlsCertificate,
  node = "causeway",
): Promise<Listening> {
  // `edge: true`: the listener also accepts Causeway edge links; each of a link's channels is a
  // WAMP session, attached like any client (its PeerDetails.transport is "edge").
  const edge: EdgeLinkAcceptOptions | undefined = l.edge
    ? { node, serializers, onChannel: (peer) => router.attach(ops.wrap(peer)), ...peerOpts }
    : undefined;
  const offers = edge ? [EDGE_SUBPROTOCOL, ...serializers.map((s) => s.subprotocol)] : serializers.map((s) => s.subprotocol);
  try {
    if (l.transport === "websocket") {
      return await runtime.serveWebSocket({
        host: l.host,
        port: l.port,
        path: l.path,
        maxMessageLength: peerOpts.maxMessageLength,
        protocols: offers,
        // The client's order decides (an edge offers causeway.edge.v1 first).
        selectProtocol: (offered) => selectSubprotocol(offered, offers),
        onConnection: (channel) => {
          if (edge && channel.protocol === EDGE_SUBPROTOCOL) return acceptEdgeWebSocket(channel, edge);
          const serializer = serializerBySubprotocol(channel.protocol)!;
          router.attach(ops.wrap(acceptWebSocket(channel, serializer, peerOpts)));
        },
        onRequest: ops.onRequest,
        tls,
      });
    }
    return await runtime.listenTcp({
      host: l.host,
      port: l.port,
      tls,
      onConnection: (channel) => acceptRawSocket(channel, { ...peerOpts, serializers, onPeer: (peer) => router.attach(ops.wrap(peer)), edge }),
    });
  } catch (err) {
    const reason = /EADDRINUSE|in use/i.test(String(err)) ? `port ${l.port} is in use` : (err as Error).message;
    throw new Error(`Cannot start listener "${l.name}" (${l.transport} on ${l.host}:${l.port}): ${reason}`);
  }
}

/**
 * The separate ops HTTP listener (config `http`): the runtime's HTTP server with an upgrade
 * path that accepts no subprotocol, so every request goes to `onRequest`.
 */
async function listenHttp(host: string, port: number, runtime: Runtime, onRequest: (req: Request) => Response | Promise<Response>): Promise<Listening> {
  try {
    return await runtime.serveWebSocket({
      host, port, path: "/.causeway-no-websocket", selectProtocol: () => undefined, onConnection: (c) => c.close(1008, "no WebSocket here"), onRequest,
    });
  } catch (err) {
    const reason = /EADDRINUSE|in use/i.test(String(err)) ? `port ${port} is in use` : (err as Error).message;
    throw new Error(`Cannot start the ops HTTP listener (http on ${host}:${port}): ${reason}`);
  }
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}
