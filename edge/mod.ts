/**
 * Edge mode: uplinks that bridge chosen procedures and topics of this router's realms to a
 * remote core (see the README's "Edge" section). mod.ts calls `startEdge` after `startServer`
 * when the config has uplinks, and `loadUplinks` for `causeway check-config`.
 */
import type { Router } from "../src/router/mod.ts";
import { connectEdgeLink, linkedPeers, type TcpConnect } from "../src/transport/mod.ts";
import { serializers } from "../src/wamp/mod.ts";
import { type Clock, Counters, type Logger, type MetricFamily, silentLogger, systemClock } from "../src/util/mod.ts";
import { createBackoff } from "./backoff.ts";
import { compatTransport } from "./compat.ts";
import { parseUplinks, resolveUplinkAuths, type SecretSources, type UplinkConfig, UplinkConfigError } from "./config.ts";
import { linkTransport } from "./link_transport.ts";
import { edgeMetricFamilies } from "./metrics.ts";
import { RealmBridge } from "./realm_bridge.ts";
import type { RemoteAuth } from "./remote_auth.ts";
import { type EdgeStatus, startStatusService, STATUS_PROCEDURE } from "./status.ts";
import { Uplink, type UplinkTransport } from "./uplink.ts";

export { parseUplinks, UplinkConfigError } from "./config.ts";
export type { UplinkConfig } from "./config.ts";
export type { UplinkState, UplinkStatus } from "./uplink.ts";
export type { EdgeStatus } from "./status.ts";
export { STATUS_PROCEDURE };

export interface LoadedUplinks {
  uplinks: UplinkConfig[];
  /** Per uplink, per realm: the remote session's authentication, secrets read. */
  auths: RemoteAuth[][];
  /** Per uplink: the tls.ca file's PEM text, when set. */
  caPem: (string | undefined)[];
}

/**
 * Validates the config's `uplinks` section and reads what it points at (key and ticket files
 * or variables, CA files): the startup checks, shared by running and `check-config`.
 */
export async function loadUplinks(raw: unknown, source: string, io: SecretSources): Promise<LoadedUplinks> {
  const uplinks = parseUplinks(raw, source);
  const auths = await resolveUplinkAuths(uplinks, io, source);
  const caPem: (string | undefined)[] = [];
  for (const [i, u] of uplinks.entries()) {
    const ca = u.tls?.ca;
    if (ca === undefined) {
      caPem.push(undefined);
      continue;
    }
    let text: string;
    try {
      text = await io.readTextFile(ca);
    } catch (err) {
      throw new UplinkConfigError(`Invalid config in ${source}: at "uplinks.${i}.tls.ca": cannot read ${ca}: ${(err as Error).message}`);
    }
    if (!text.includes("-----BEGIN CERTIFICATE-----")) {
      throw new UplinkConfigError(`Invalid config in ${source}: at "uplinks.${i}.tls.ca": ${ca} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    }
    caPem.push(text);
  }
  return { uplinks, auths, caPem };
}

export interface EdgeOptions {
  /** The config file's raw `uplinks` section. */
  uplinks: unknown;
  /** What loadUplinks already made of `uplinks` (mod.ts validates before the server starts). */
  loaded?: LoadedUplinks;
  /** Where the config came from (for error texts). */
  source?: string;
  router: Router;
  connectTcp: TcpConnect;
  readTextFile(path: string): Promise<string>;
  env(name: string): string | undefined;
  /** This node's id (config `node`); an uplink's own `node` wins. */
  node?: string;
  hostname?: () => string;
  logger?: Logger;
  clock?: Clock;
}

export interface RunningEdge {
  status(): EdgeStatus;
  metrics(): MetricFamily[];
  /** Stops every uplink: remote sessions leave, bridges stop, nothing reconnects. */
  stop(): Promise<void>;
}

/**
 * Starts every uplink: each bridge's local side at once (a local realm that does not exist
 * stops the start), then the connections in the background — the edge serves its local
 * clients whether or not the core is reachable.
 */
export async function startEdge(opts: EdgeOptions): Promise<RunningEdge> {
  const source = opts.source ?? "the config";
  const log = opts.logger ?? silentLogger;
  const clock = opts.clock ?? systemClock;
  const loaded = opts.loaded ?? await loadUplinks(opts.uplinks, source, opts);
  const defaultNode = opts.node ?? opts.hostname?.() ?? "edge";
  const uplinks: Uplink[] = [];
  for (const [i, u] of loaded.uplinks.entries()) {
    for (const [j, r] of u.realms.entries()) {
      if (!opts.router.realm(r.local)) {
        throw new UplinkConfigError(
          `Cannot start uplink "${u.name}": local realm "${r.local}" (uplinks.${i}.realms.${j}.local) does not exist on this router; add it to realms[] or fix the name`,
        );
      }
    }
    uplinks.push(buildUplink(u, loaded.auths[i], loaded.caPem[i], opts, defaultNode, clock, log));
  }
  const started: Uplink[] = [];
  try {
    for (const u of uplinks) {
      await u.start();
      started.push(u);
    }
  } catch (err) {
    await Promise.allSettled(started.map((u) => u.stop()));
    throw err;
  }
  const status = (): EdgeStatus => ({ node: defaultNode, uplinks: uplinks.map((u) => u.status()) });
  const statusService = await startStatusService({
    router: opts.router,
    realms: loaded.uplinks.flatMap((u) => u.realms.map((r) => r.local)),
    status,
    linkPeers: () => linkedPeers(),
    logger: log,
  });
  return {
    status,
    metrics: () => edgeMetricFamilies(uplinks.map((u) => u.status())),
    async stop() {
      await statusService.stop();
      await Promise.allSettled(uplinks.map((u) => u.stop()));
    },
  };
}

function buildUplink(
  u: UplinkConfig, auths: RemoteAuth[], ca: string | undefined, opts: EdgeOptions, defaultNode: string, clock: Clock, log: Logger,
): Uplink {
  const serializer = serializers.find((s) => s.name === u.serializer)!;
  const logger = log.child({ uplink: u.name });
  // Per uplink, so two uplinks bridging one local realm count apart.
  const counters = new Counters();
  const tls = u.tls ? { ...u.tls, ca } : undefined;
  const common = { url: u.url, serializer, connectTcp: opts.connectTcp, tls, timeoutMs: u.connectTimeoutMs, maxMessageLength: u.maxMessageSize, clock };
  let uplink: Uplink;
  const bridges = u.realms.map((r, j) =>
    new RealmBridge({
      name: u.name,
      remoteUrl: u.url,
      router: opts.router,
      localRealm: r.local,
      remoteRealm: r.remote ?? r.local,
      exportProcedures: r.export.procedures,
      importProcedures: r.import.procedures,
      exportTopics: r.export.topics,
      importTopics: r.import.topics,
      auth: auths[j],
      buffer: u.buffer,
      linkPeers: () => linkedPeers(),
      counters,
      clock,
      logger,
      onRemoteLost: (reason) => uplink.remoteLost(`the session for realm "${r.local}" ended: ${reason}`),
    })
  );
  const transport: UplinkTransport = u.mode === "link"
    ? linkTransport((onCarrierOpen) => connectEdgeLink({ ...common, node: u.node ?? defaultNode, logger, onCarrierOpen }))
    : compatTransport({ ...common, realms: u.realms.length });
  uplink = new Uplink({
    name: u.name,
    url: u.url,
    mode: u.mode,
    transport,
    bridges,
    backoff: createBackoff({ minMs: u.backoff.minMs, maxMs: u.backoff.maxMs, jitter: u.backoff.jitter }),
    keepalive: u.keepalive,
    joinTimeoutMs: u.connectTimeoutMs,
    stableMs: u.backoff.stableMs,
    clock,
    logger: log,
  });
  return uplink;
}
