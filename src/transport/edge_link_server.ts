import type { Clock } from "../util/clock.ts";
import type { Logger } from "../util/log.ts";
import type { Peer } from "../wamp/peer.ts";
import type { Serializer } from "../wamp/serializer.ts";
import type { ByteChannel, FrameChannel } from "./channel.ts";
import { EdgeLink } from "./edge_link.ts";
import { type LinkCarrier, rawSocketCarrier, webSocketCarrier } from "./edge_link_carriers.ts";
import {
  EDGE_LINK_PROTOCOL,
  EDGE_LINK_VERSION,
  encodeJsonFrame,
  LinkAbortReason,
  LinkFrameType,
  linkFrameTypeName,
  LinkProtocolError,
  parseLinkHello,
} from "./edge_link_frames.ts";
import type { OutboundOptions } from "./outbound_queue.ts";

/** Core side of edge links (see edge_link_frames.ts for the wire format). */
export interface EdgeLinkAcceptOptions {
  /** This core's node id, sent in LINK_WELCOME. */
  node: string;
  /** Serializers an edge may choose for its channels' WAMP messages. */
  serializers: readonly Serializer[];
  /** Each channel the edge opens: a Peer for one WAMP session (attach it to the router). */
  onChannel(peer: Peer): void;
  /** Open channels per link at most. Default 64. */
  maxChannels?: number;
  /** A link that sends no LINK_HELLO within this is closed. Default 10000 ms. */
  handshakeTimeoutMs?: number;
  /** Largest incoming link frame, in bytes. Default 16 MiB. */
  maxMessageLength?: number;
  outbound?: OutboundOptions;
  clock?: Clock;
  logger?: Logger;
  /**
   * After `intervalMs` without a frame from the edge the core PINGs; no PONG within `timeoutMs`
   * ends the link (an edge gone without FIN must not keep its sessions and registrations).
   * Default { intervalMs: 30000, timeoutMs: 15000 }; false turns it off.
   */
  keepalive?: { intervalMs: number; timeoutMs: number } | false;
  /** Called for each link once its handshake succeeded (observability, tests). */
  onLink?(info: EdgeLinkInfo): void;
}

export interface EdgeLinkInfo {
  remoteNode: string;
  serializer: string;
  remoteAddress: string;
  /** Ends the link gracefully (CLOSE for each channel). */
  close(reason?: string): void;
}

export const DEFAULT_EDGE_MAX_CHANNELS = 64;
export const DEFAULT_CORE_KEEPALIVE = { intervalMs: 30_000, timeoutMs: 15_000 } as const;

/** A WebSocket upgraded with subprotocol causeway.edge.v1 becomes an edge link. Never throws. */
export function acceptEdgeWebSocket(channel: FrameChannel, opts: EdgeLinkAcceptOptions): void {
  acceptEdgeLink(webSocketCarrier(channel), opts);
}

/**
 * A RawSocket connection whose handshake asked for serializer id 15 (rawsocket.ts has already
 * answered it): the rest of the stream is link frames. `rest` are bytes that came with the
 * handshake.
 */
export function acceptEdgeRawSocket(
  channel: ByteChannel,
  ourMax: number,
  opts: EdgeLinkAcceptOptions & { closeTimeoutMs?: number },
  rest?: Uint8Array,
): void {
  const carrier = rawSocketCarrier(channel, ourMax, opts.closeTimeoutMs);
  acceptEdgeLink(carrier, { ...opts, maxMessageLength: Math.min(ourMax, opts.maxMessageLength ?? ourMax) });
  if (rest && rest.byteLength > 0) channel.onData(rest);
}

function acceptEdgeLink(carrier: LinkCarrier, opts: EdgeLinkAcceptOptions): void {
  const maxMessageLength = opts.maxMessageLength ?? 16 * 1024 * 1024;
  const link = new EdgeLink(carrier, {
    role: "core",
    maxMessageLength,
    outbound: opts.outbound,
    clock: opts.clock,
    logger: opts.logger,
  });
  const log = link.log;
  const maxChannels = opts.maxChannels ?? DEFAULT_EDGE_MAX_CHANNELS;
  const handshakeMs = opts.handshakeTimeoutMs ?? 10_000;
  const timer = link.clock.setTimeout(() => {
    if (link.state === "handshake") link.abort(LinkAbortReason.HANDSHAKE_TIMEOUT, `no LINK_HELLO within ${handshakeMs} ms`);
  }, handshakeMs);
  link.onClose = (reason) => {
    link.clock.clearTimeout(timer);
    if (link.remoteNode) log.info("edge link closed", { node: link.remoteNode, reason });
  };
  link.onChannel = (peer) => opts.onChannel(peer);
  link.handshakeFrame = (frame) => {
    if (frame.type !== LinkFrameType.LINK_HELLO) {
      throw new LinkProtocolError(`${linkFrameTypeName(frame.type)} before LINK_HELLO`);
    }
    const hello = parseLinkHello(frame);
    link.clock.clearTimeout(timer);
    if (hello.protocol !== EDGE_LINK_PROTOCOL) {
      throw new LinkProtocolError(`LINK_HELLO names protocol "${hello.protocol}", expected "${EDGE_LINK_PROTOCOL}"`);
    }
    link.remoteNode = hello.node;
    if (hello.version !== EDGE_LINK_VERSION) {
      log.error("edge link version mismatch", { edgeNode: hello.node, edgeVersion: hello.version, coreVersion: EDGE_LINK_VERSION });
      link.abort(
        LinkAbortReason.VERSION_MISMATCH,
        `edge "${hello.node}" speaks edge link version ${hello.version}; core "${opts.node}" speaks version ${EDGE_LINK_VERSION}`,
      );
      return;
    }
    const serializer = opts.serializers.find((s) => s.name === hello.serializer);
    if (!serializer) {
      link.abort(
        LinkAbortReason.SERIALIZER_UNSUPPORTED,
        `serializer "${hello.serializer}" is not supported by core "${opts.node}" (supported: ${opts.serializers.map((s) => s.name).join(", ")})`,
      );
      return;
    }
    link.open(serializer, hello.maxMessageSize || undefined, maxChannels);
    link.sendFrame(encodeJsonFrame(LinkFrameType.LINK_WELCOME, 0, {
      protocol: EDGE_LINK_PROTOCOL,
      version: EDGE_LINK_VERSION,
      node: opts.node,
      maxChannels,
      maxMessageSize: maxMessageLength,
    }));
    log.info("edge link up", { node: hello.node, serializer: serializer.name });
    const keepalive = opts.keepalive ?? DEFAULT_CORE_KEEPALIVE;
    if (keepalive) link.watchIdle(keepalive.intervalMs, keepalive.timeoutMs);
    try {
      opts.onLink?.({
        remoteNode: hello.node,
        serializer: serializer.name,
        remoteAddress: carrier.remoteAddress,
        close: (reason) => link.close(reason),
      });
    } catch (err) {
      log.error("onLink threw", { error: (err as Error).message });
    }
  };
}
