import type { Serializer } from "../serializer.ts";
import { cborSerializer } from "./cbor.ts";
import { jsonSerializer } from "./json.ts";
import { msgpackSerializer } from "./msgpack.ts";

export { cborSerializer, jsonSerializer, msgpackSerializer };

/** Every supported serializer, in the router's order of preference. */
export const serializers: readonly Serializer[] = [jsonSerializer, msgpackSerializer, cborSerializer];

/** The serializer for a WebSocket subprotocol ("wamp.2.json" …), or undefined. */
export function serializerBySubprotocol(name: string): Serializer | undefined {
  return serializers.find((s) => s.subprotocol === name);
}

/** The serializer for a RawSocket handshake serializer id (1 JSON, 2 MessagePack, 3 CBOR). */
export function serializerByRawsocketId(id: number): Serializer | undefined {
  return serializers.find((s) => s.rawsocketId === id);
}
