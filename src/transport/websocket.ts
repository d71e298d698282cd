import type { Clock } from "../util/clock.ts";
import type { Logger } from "../util/log.ts";
import type { Peer } from "../wamp/peer.ts";
import type { Serializer } from "../wamp/serializer.ts";
import type { FrameChannel, WireData } from "./channel.ts";
import { sharedEncoders } from "./encode_once.ts";
import { createFramedPeer, type FramedPeer } from "./framed_peer.ts";
import type { OutboundOptions } from "./outbound_queue.ts";

export const DEFAULT_MAX_MESSAGE_LENGTH = 16 * 1024 * 1024;

export interface WebSocketPeerOptions {
  /** Largest incoming message, in bytes. Default 16 MiB. */
  maxMessageLength?: number;
  outbound?: OutboundOptions;
  clock?: Clock;
  logger?: Logger;
  closeTimeoutMs?: number;
}

/**
 * WAMP over WebSocket: the server picks the first subprotocol IN THE CLIENT'S ORDER that it
 * supports (the client lists its preference first). Entries are trimmed, so the raw items of a
 * `Sec-WebSocket-Protocol: a, b` header can be passed as they are.
 */
export function negotiateSubprotocol(
  offered: readonly string[],
  supported: readonly Serializer[],
): Serializer | undefined {
  const name = selectSubprotocol(offered, supported.map((s) => s.subprotocol));
  return supported.find((s) => s.subprotocol === name);
}

/** The same choice among plain subprotocol names (a listener that also serves edge links). */
export function selectSubprotocol(offered: readonly string[], supported: readonly string[]): string | undefined {
  for (const raw of offered) {
    const name = raw.trim();
    if (supported.includes(name)) return name;
  }
  return undefined;
}

const NO_ITEMS: WireData[] = [];

// Text frames for JSON, binary frames for MessagePack and CBOR: the serializer's own output.
const wsEncoder = sharedEncoders((s: Serializer) => (msg) => s.encode(msg));

/** Makes a Peer of an upgraded WebSocket connection that speaks `serializer`. */
export function acceptWebSocket(
  channel: FrameChannel,
  serializer: Serializer,
  options: WebSocketPeerOptions = {},
): Peer {
  const encode = wsEncoder(serializer);
  // One cork callback per connection (not a closure per flush); `batch` is set around the call.
  let batch: WireData[] = NO_ITEMS;
  const sendBatch = () => {
    for (let i = 0; i < batch.length; i++) channel.send(batch[i]);
  };
  const peer: FramedPeer = createFramedPeer({
    details: {
      transport: "websocket",
      serializer: serializer.name,
      remoteAddress: channel.remoteAddress,
      remotePort: channel.remotePort,
      tls: channel.tls,
    },
    get bufferedAmount() {
      return channel.bufferedAmount;
    },
    encode,
    frameOverhead: 0,
    writeBatch(items: WireData[]) {
      // One frame is one write with or without cork: skip the extra runtime call.
      if (items.length === 1 || !channel.cork) {
        for (let i = 0; i < items.length; i++) channel.send(items[i]);
        return;
      }
      batch = items;
      try {
        channel.cork(sendBatch);
      } finally {
        batch = NO_ITEMS;
      }
    },
    close: (code, reason) => channel.close(code, reason),
    terminate: () => (channel.terminate ? channel.terminate() : channel.close()),
  }, {
    serializer,
    maxMessageLength: options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH,
    outbound: options.outbound,
    clock: options.clock,
    logger: options.logger,
    closeTimeoutMs: options.closeTimeoutMs,
  });
  channel.onFrame = (data) => peer.receive(data);
  channel.onClose = () => peer.transportClosed();
  channel.onDrain = () => peer.drained();
  return peer;
}
