import { type Clock, systemClock } from "../util/clock.ts";
import { type Logger, silentLogger } from "../util/log.ts";
import type { Peer } from "../wamp/peer.ts";
import type { Serializer } from "../wamp/serializer.ts";
import type { ByteChannel, TcpConnect } from "./channel.ts";
import { EdgeLink } from "./edge_link.ts";
import { type LinkCarrier, rawSocketCarrier, webSocketCarrier } from "./edge_link_carriers.ts";
import {
  EDGE_LINK_PROTOCOL,
  EDGE_LINK_VERSION,
  EDGE_RAWSOCKET_SERIALIZER_ID,
  EDGE_SUBPROTOCOL,
  encodeJsonFrame,
  LinkAbortReason,
  LinkFrameType,
  linkFrameTypeName,
  LinkProtocolError,
  parseLinkWelcome,
} from "./edge_link_frames.ts";
import { errorText } from "./framed_peer.ts";
import { announcedLength } from "./rawsocket.ts";
import { HandshakeError } from "./rawsocket_framing.ts";
import { clientHandshake, deliverLeftover, type RawSocketHandshakeError } from "./rawsocket_client.ts";
import { webSocketChannel } from "./websocket_client.ts";
import { DEFAULT_MAX_MESSAGE_LENGTH } from "./websocket.ts";

/** Edge side of an edge link: dials the core (see edge_link_frames.ts for the wire format). */
export interface EdgeLinkConnectOptions {
  /** ws://h:p/path, wss://…, tcp://h:p, tls://h:p */
  url: string;
  /** This edge's node id. */
  node: string;
  /** For the WAMP messages on the channels. */
  serializer: Serializer;
  /** The runtime's TCP connect (tcp/tls carriers). */
  connectTcp: TcpConnect;
  /** wss: passed to the WebSocket constructor (Bun honours it); tls: to connectTcp. */
  tls?: { ca?: string; rejectUnauthorized?: boolean; serverName?: string };
  /** Connect + link handshake. Default 10000 ms. */
  timeoutMs?: number;
  /** Largest incoming link frame, in bytes. Default 16 MiB. */
  maxMessageLength?: number;
  clock?: Clock;
  logger?: Logger;
  /** Called once when the carrier is open, just before LINK_HELLO goes out (uplink state "handshaking"). */
  onCarrierOpen?: () => void;
}

export interface EdgeLinkClient {
  readonly remoteNode: string;
  /**
   * Opens a new channel; the returned Peer is the client side of a WAMP session (send HELLO).
   * Never throws: on a link that has ended the Peer is already closed (onClose follows).
   */
  openChannel(): Peer;
  /** Sends PING; resolves with the round-trip ms when the PONG arrives, rejects after timeoutMs. */
  ping(timeoutMs: number): Promise<number>;
  /** Clock ms when any frame last arrived from the core (keepalive pings only after idle). */
  readonly lastReceivedAt: number;
  /** Graceful: closes channels (CLOSE frames) then the carrier. */
  close(reason?: string): void;
  /** Abrupt: drops the socket without any frame (used after a keepalive timeout). */
  terminate(): void;
  /** Called once when the link is gone (either side, error or close), with a reason text. */
  onClose: (reason: string) => void;
}

/**
 * Why connectEdgeLink failed, for callers that react differently (the uplink backs off to its
 * maximum on `causeway.edge.version_mismatch`): a LinkAbortReason, or "connect",
 * "not_edge" (the listener does not accept edge links), "timeout", "closed".
 */
export class EdgeLinkError extends Error {
  constructor(message: string, readonly reason: string) {
    super(message);
    this.name = "EdgeLinkError";
  }
}

const NOT_EDGE = (url: string) =>
  `the core does not accept edge links on ${url}; enable \`edge: true\` on that listener or use mode: compat`;

/**
 * Dials the core and performs the link handshake. Rejects with an EdgeLinkError whose message
 * names the url and the cause (refused, not an edge listener, version mismatch, timeout).
 */
export async function connectEdgeLink(opts: EdgeLinkConnectOptions): Promise<EdgeLinkClient> {
  const clock = opts.clock ?? systemClock;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const start = clock.now();
  const fail = (why: string, reason: string) => new EdgeLinkError(`Cannot open an edge link to ${opts.url}: ${why}`, reason);
  let u: URL;
  try {
    u = new URL(opts.url);
  } catch {
    throw fail("not a URL (expected ws://, wss://, tcp:// or tls://)", "connect");
  }
  let carrier: LinkCarrier;
  let maxIn = opts.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
  if (u.protocol === "ws:" || u.protocol === "wss:") {
    carrier = await openWebSocket(opts, timeoutMs, clock, fail);
  } else if (u.protocol === "tcp:" || u.protocol === "tls:") {
    maxIn = announcedLength(opts.maxMessageLength);
    carrier = await openRawSocket(opts, u, maxIn, timeoutMs, clock, fail);
  } else {
    throw fail(`unsupported scheme "${u.protocol}" (expected ws://, wss://, tcp:// or tls://)`, "connect");
  }
  const left = Math.max(1, timeoutMs - (clock.now() - start));
  try {
    opts.onCarrierOpen?.();
  } catch (err) {
    (opts.logger ?? silentLogger).error("onCarrierOpen threw", { error: errorText(err) });
  }
  return await handshake(carrier, opts, maxIn, left, clock, fail);
}

type Fail = (why: string, reason: string) => EdgeLinkError;

function openWebSocket(opts: EdgeLinkConnectOptions, timeoutMs: number, clock: Clock, fail: Fail): Promise<LinkCarrier> {
  return new Promise<LinkCarrier>((resolve, reject) => {
    // "wamp.2.json" is offered second only to tell a WAMP listener without edge links (it picks
    // that one) from a refused connection: the error can then say what to change.
    const protocols = [EDGE_SUBPROTOCOL, "wamp.2.json"];
    let ws: WebSocket;
    try {
      ws = opts.tls && opts.url.startsWith("wss:")
        // Bun's WebSocket takes TLS options in an options object (a custom CA, self-signed cores).
        ? new WebSocket(opts.url, { protocols, tls: opts.tls } as unknown as string[])
        : new WebSocket(opts.url, protocols);
    } catch (err) {
      reject(fail(errorText(err), "connect"));
      return;
    }
    ws.binaryType = "arraybuffer";
    let settled = false;
    const done = (err?: EdgeLinkError) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      if (err) {
        try {
          ws.close();
        } catch { /* already closing */ }
        reject(err);
      }
    };
    const timer = clock.setTimeout(() => done(fail(`no WebSocket handshake within ${timeoutMs} ms`, "timeout")), timeoutMs);
    ws.onerror = () => done(fail("connection failed (refused, unreachable or upgrade rejected)", "connect"));
    ws.onclose = (ev) => done(fail(`closed during the opening handshake (code ${ev.code}${ev.reason ? `, ${ev.reason}` : ""})`, "connect"));
    ws.onopen = () => {
      if (settled) return;
      if (ws.protocol !== EDGE_SUBPROTOCOL) {
        return done(new EdgeLinkError(NOT_EDGE(opts.url) + (ws.protocol ? ` (it chose subprotocol "${ws.protocol}")` : ""), "not_edge"));
      }
      done();
      const channel = webSocketChannel(ws, opts.url);
      // terminate() after a keepalive timeout must not wait for a close handshake that a dead
      // path never completes: Bun's client WebSocket can drop the socket; elsewhere, close().
      const abrupt = (ws as unknown as { terminate?: () => void }).terminate;
      channel.terminate = () => (typeof abrupt === "function" ? abrupt.call(ws) : ws.close());
      resolve(webSocketCarrier(channel));
    };
  });
}

async function openRawSocket(
  opts: EdgeLinkConnectOptions,
  u: URL,
  ourMax: number,
  timeoutMs: number,
  clock: Clock,
  fail: Fail,
): Promise<LinkCarrier> {
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const port = Number(u.port);
  if (!u.port || !Number.isInteger(port)) throw fail("the URL has no port (tcp://host:port)", "connect");
  const tls = u.protocol === "tls:" ? { ...opts.tls } : undefined;
  let channel: ByteChannel;
  try {
    channel = await opts.connectTcp({ host, port, tls, timeoutMs });
  } catch (err) {
    throw fail(errorText(err), "connect");
  }
  let reply: { theirMax: number; leftover?: Uint8Array };
  try {
    reply = await clientHandshake(channel, EDGE_RAWSOCKET_SERIALIZER_ID, ourMax, timeoutMs, clock, "core");
  } catch (err) {
    const e = err as RawSocketHandshakeError;
    if (e.kind === "refused" && e.code === HandshakeError.SERIALIZER_UNSUPPORTED) throw new EdgeLinkError(NOT_EDGE(opts.url), "not_edge");
    throw fail(`RawSocket handshake: ${e.message}`, e.kind === "timeout" ? "timeout" : "connect");
  }
  const carrier = rawSocketCarrier(channel, ourMax);
  // Frames that came with the reply: delivered once the link is wired (next turn).
  if (reply.leftover) deliverLeftover(channel, reply.leftover);
  return carrier;
}

function handshake(
  carrier: LinkCarrier,
  opts: EdgeLinkConnectOptions,
  maxIn: number,
  timeoutMs: number,
  clock: Clock,
  fail: Fail,
): Promise<EdgeLinkClient> {
  const log = opts.logger ?? silentLogger;
  const link = new EdgeLink(carrier, { role: "edge", maxMessageLength: maxIn, clock, logger: opts.logger });
  return new Promise<EdgeLinkClient>((resolve, reject) => {
    let settled = false;
    const timer = clock.setTimeout(() => {
      if (settled) return;
      settled = true;
      link.terminate("link handshake timed out");
      reject(fail(`no LINK_WELCOME within ${timeoutMs} ms`, "timeout"));
    }, timeoutMs);
    link.onClose = (reason) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      const abortReason = /^(causeway\.edge\.[a-z_]+):/.exec(reason)?.[1];
      reject(fail(`the link closed during its handshake: ${reason}`, abortReason ?? "closed"));
    };
    link.handshakeFrame = (frame) => {
      if (frame.type !== LinkFrameType.LINK_WELCOME) {
        throw new LinkProtocolError(`${linkFrameTypeName(frame.type)} before LINK_WELCOME`);
      }
      const welcome = parseLinkWelcome(frame);
      if (welcome.protocol !== EDGE_LINK_PROTOCOL) {
        throw new LinkProtocolError(`LINK_WELCOME names protocol "${welcome.protocol}", expected "${EDGE_LINK_PROTOCOL}"`);
      }
      link.remoteNode = welcome.node;
      if (welcome.version !== EDGE_LINK_VERSION) {
        const text = `core "${welcome.node}" speaks edge link version ${welcome.version}; edge "${opts.node}" speaks version ${EDGE_LINK_VERSION}`;
        log.error("edge link version mismatch", { coreNode: welcome.node, coreVersion: welcome.version, edgeVersion: EDGE_LINK_VERSION });
        // Our own abort closes the link: settle first, with the reason, rather than via onClose.
        settled = true;
        clock.clearTimeout(timer);
        link.abort(LinkAbortReason.VERSION_MISMATCH, text);
        reject(fail(`version mismatch: ${text}`, LinkAbortReason.VERSION_MISMATCH));
        return;
      }
      link.open(opts.serializer, welcome.maxMessageSize || undefined);
      settled = true;
      clock.clearTimeout(timer);
      const client: EdgeLinkClient = {
        get remoteNode() {
          return link.remoteNode;
        },
        openChannel: () => link.openChannel(),
        ping: (ms) => link.ping(ms),
        get lastReceivedAt() {
          return link.lastReceivedAt;
        },
        close: (reason) => link.close(reason),
        terminate: () => link.terminate(),
        onClose: () => {},
      };
      link.onClose = (reason) => client.onClose(reason);
      resolve(client);
    };
    link.sendFrame(encodeJsonFrame(LinkFrameType.LINK_HELLO, 0, {
      protocol: EDGE_LINK_PROTOCOL,
      version: EDGE_LINK_VERSION,
      node: opts.node,
      serializer: opts.serializer.name,
      maxMessageSize: maxIn,
    }));
  });
}
