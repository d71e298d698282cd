import type { Message } from "./messages.ts";

/** What one WAMP serialization looks like to the rest of the router. */
export interface Serializer {
  /** "json" | "msgpack" | "cbor" */
  readonly name: string;
  /** WebSocket subprotocol, e.g. "wamp.2.json". */
  readonly subprotocol: string;
  /** RawSocket serializer id (1 JSON, 2 MessagePack, 3 CBOR). */
  readonly rawsocketId: number;
  /** True when frames are binary (WebSocket binary frames). */
  readonly binary: boolean;
  /** Message → wire bytes (JSON is returned as a string for text frames). */
  encode(msg: Message): Uint8Array | string;
  /** Wire bytes → validated Message; throws ProtocolViolation naming the problem. */
  decode(data: Uint8Array | string): Message;
}
