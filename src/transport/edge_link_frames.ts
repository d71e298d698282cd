/**
 * Causeway edge link, wire format (version 1).
 *
 * An edge router always dials out to its core and keeps ONE connection, the *link*, that carries
 * one WAMP session per bridged realm, each on its own *channel*.
 *
 * Carriers
 * - WebSocket (ws/wss): subprotocol "causeway.edge.v1"; one BINARY WebSocket message per link
 *   frame (a text message is a protocol violation). Served on a core WebSocket listener with
 *   `"edge": true`, next to the WAMP subprotocols, on the same path.
 * - TCP/TLS: the WAMP RawSocket handshake with serializer id 15 (unused by WAMP, whose ids are
 *   1 JSON, 2 MessagePack, 3 CBOR) means "causeway edge link"; after it, one RawSocket MESSAGE
 *   frame per link frame (RawSocket PING is still answered with PONG). A core listener without
 *   `"edge": true` answers handshake error 1 (serializer unsupported).
 *
 * Link frame (the whole content of one carrier message):
 *
 *     byte 0      frame type
 *     bytes 1..4  channel id, uint32 big-endian (0 = the link itself)
 *     bytes 5..   payload
 *
 *   type  name          ch   payload
 *   0x01  LINK_HELLO    0    JSON {"protocol":"causeway-edge","version":1,"node":"<edge node id>",
 *                            "serializer":"json"|"msgpack"|"cbor","maxMessageSize":n}
 *   0x02  LINK_WELCOME  0    JSON {"protocol":"causeway-edge","version":1,"node":"<core node id>",
 *                            "maxChannels":n, "maxMessageSize":n (optional)}
 *   0x03  LINK_ABORT    0    JSON {"reason":"causeway.edge.<why>","message":"<human text>"};
 *                            the sender then closes the carrier.
 *   0x04  PING          0    opaque bytes (8 by convention)
 *   0x05  PONG          0    the PING's payload, echoed exactly
 *   0x10  OPEN          N    empty. Only the edge opens channels: N odd and greater than any
 *                            N opened before on the link (so never reused): 1, 3, 5, …
 *                            Over the core's maxChannels the core answers CLOSE on N.
 *   0x11  DATA          N    one WAMP message in the link's serializer (JSON as UTF-8 bytes)
 *   0x12  CLOSE         N    JSON {"reason":"..."}: that channel's session is over (either side
 *                            may send it; there is no reply, and frames for a closed channel are
 *                            ignored because they may cross the CLOSE on the wire).
 *
 * maxMessageSize (HELLO, WELCOME): the largest link frame (header included) that side accepts;
 * a message that would not fit is not sent (a RESULT/ERROR becomes an ERROR
 * wamp.error.message_too_large naming the limit, as on a RawSocket).
 *
 * Sequence: edge → LINK_HELLO; core → LINK_WELCOME (or LINK_ABORT, e.g. version mismatch);
 * then OPEN/DATA/CLOSE/PING/PONG in any order. JSON payloads are UTF-8 objects. Anything else
 * — an unknown frame type, a frame shorter than 5 bytes, a link frame on a channel id ≠ 0, DATA
 * or CLOSE on a channel never opened, a frame before the handshake completed — is a protocol
 * violation: LINK_ABORT reason "causeway.edge.protocol_violation", then close.
 *
 * Keepalive: the edge PINGs after idle (its uplink's keepalive settings); the core PINGs a link
 * that has been silent for a while and terminates it when no PONG comes (edge_link_server.ts).
 *
 * Abort reasons: see `LinkAbortReason`.
 */

export const EDGE_SUBPROTOCOL = "causeway.edge.v1";
export const EDGE_RAWSOCKET_SERIALIZER_ID = 15;
export const EDGE_LINK_VERSION = 1;
export const EDGE_LINK_PROTOCOL = "causeway-edge";

export const LinkFrameType = {
  LINK_HELLO: 0x01,
  LINK_WELCOME: 0x02,
  LINK_ABORT: 0x03,
  PING: 0x04,
  PONG: 0x05,
  OPEN: 0x10,
  DATA: 0x11,
  CLOSE: 0x12,
} as const;

const frameTypeNames: Record<number, string> = {
  0x01: "LINK_HELLO",
  0x02: "LINK_WELCOME",
  0x03: "LINK_ABORT",
  0x04: "PING",
  0x05: "PONG",
  0x10: "OPEN",
  0x11: "DATA",
  0x12: "CLOSE",
};

export function linkFrameTypeName(type: number): string {
  return frameTypeNames[type] ?? `unknown frame type 0x${type.toString(16).padStart(2, "0")}`;
}

export const LinkAbortReason = {
  VERSION_MISMATCH: "causeway.edge.version_mismatch",
  PROTOCOL_VIOLATION: "causeway.edge.protocol_violation",
  SERIALIZER_UNSUPPORTED: "causeway.edge.serializer_unsupported",
  HANDSHAKE_TIMEOUT: "causeway.edge.handshake_timeout",
  SLOW_CONSUMER: "causeway.edge.slow_consumer",
  MESSAGE_TOO_LARGE: "causeway.edge.message_too_large",
} as const;

export const LINK_HEADER_LENGTH = 5;

/** A link frame as read off the wire. `payload` is a view into the carrier's bytes. */
export interface LinkFrame {
  type: number;
  channel: number;
  payload: Uint8Array;
}

/** The link broke its protocol; the message names what was wrong. */
export class LinkProtocolError extends Error {
  constructor(message: string, readonly reason: string = LinkAbortReason.PROTOCOL_VIOLATION) {
    super(message);
    this.name = "LinkProtocolError";
  }
}

export function encodeLinkFrame(type: number, channel: number, payload?: Uint8Array): Uint8Array {
  const len = payload ? payload.byteLength : 0;
  const out = new Uint8Array(LINK_HEADER_LENGTH + len);
  out[0] = type;
  out[1] = (channel >>> 24) & 0xff;
  out[2] = (channel >>> 16) & 0xff;
  out[3] = (channel >>> 8) & 0xff;
  out[4] = channel & 0xff;
  if (payload) out.set(payload, LINK_HEADER_LENGTH);
  return out;
}

/** Splits one carrier message into a frame; throws LinkProtocolError when it is too short. */
export function decodeLinkFrame(bytes: Uint8Array): LinkFrame {
  if (bytes.byteLength < LINK_HEADER_LENGTH) {
    throw new LinkProtocolError(`link frame of ${bytes.byteLength} bytes is shorter than its 5-byte header`);
  }
  const channel = ((bytes[1] << 24) >>> 0) + (bytes[2] << 16) + (bytes[3] << 8) + bytes[4];
  return { type: bytes[0], channel, payload: bytes.subarray(LINK_HEADER_LENGTH) };
}

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

export function encodeJsonFrame(type: number, channel: number, body: Record<string, unknown>): Uint8Array {
  return encodeLinkFrame(type, channel, enc.encode(JSON.stringify(body)));
}

/** A JSON-object payload; throws LinkProtocolError naming the frame when it is not one. */
export function decodeJsonPayload(frame: LinkFrame): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(dec.decode(frame.payload));
  } catch (err) {
    throw new LinkProtocolError(`${linkFrameTypeName(frame.type)} payload is not valid UTF-8 JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new LinkProtocolError(`${linkFrameTypeName(frame.type)} payload must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

export interface LinkHello {
  protocol: string;
  version: number;
  node: string;
  serializer: string;
  maxMessageSize: number;
}

export interface LinkWelcome {
  protocol: string;
  version: number;
  node: string;
  maxChannels: number;
  /** Largest link frame the core accepts (optional: a version-1 addition, absent = no limit). */
  maxMessageSize?: number;
}

export interface LinkAbort {
  reason: string;
  message: string;
}

/**
 * LINK_HELLO's fields. `protocol` and `version` are checked loosely here (any string / integer):
 * the caller decides what a foreign protocol or another version means (abort with a clear text).
 */
export function parseLinkHello(frame: LinkFrame): LinkHello {
  const o = decodeJsonPayload(frame);
  return {
    protocol: str(o, "protocol", "LINK_HELLO"),
    version: int(o, "version", "LINK_HELLO"),
    node: str(o, "node", "LINK_HELLO"),
    serializer: str(o, "serializer", "LINK_HELLO"),
    maxMessageSize: int(o, "maxMessageSize", "LINK_HELLO"),
  };
}

export function parseLinkWelcome(frame: LinkFrame): LinkWelcome {
  const o = decodeJsonPayload(frame);
  return {
    protocol: str(o, "protocol", "LINK_WELCOME"),
    version: int(o, "version", "LINK_WELCOME"),
    node: str(o, "node", "LINK_WELCOME"),
    maxChannels: int(o, "maxChannels", "LINK_WELCOME"),
    maxMessageSize: o.maxMessageSize === undefined ? undefined : int(o, "maxMessageSize", "LINK_WELCOME"),
  };
}

export function parseLinkAbort(frame: LinkFrame): LinkAbort {
  const o = decodeJsonPayload(frame);
  return {
    reason: typeof o.reason === "string" ? o.reason : "causeway.edge.unknown",
    message: typeof o.message === "string" ? o.message : "",
  };
}

/** CLOSE's reason; an empty or non-JSON payload is tolerated (the channel closes either way). */
export function parseCloseReason(frame: LinkFrame): string {
  if (frame.payload.byteLength === 0) return "closed";
  try {
    const o = decodeJsonPayload(frame);
    return typeof o.reason === "string" ? o.reason : "closed";
  } catch {
    return "closed";
  }
}

function str(o: Record<string, unknown>, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== "string") throw new LinkProtocolError(`${where}.${key} must be a string`);
  return v;
}

function int(o: Record<string, unknown>, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new LinkProtocolError(`${where}.${key} must be a non-negative integer`);
  }
  return v;
}
