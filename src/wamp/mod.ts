/** Public surface of the WAMP protocol layer: messages, codec, URIs, IDs and serializers. */
export { MessageType, messageTypeName } from "./message_type.ts";
export type { MessageTypeCode } from "./message_type.ts";
export type {
  Abort, Authenticate, Call, Cancel, Challenge, Dict, ErrorMessage, Event, EventReceived, Goodbye,
  Hello, Interrupt, Invocation, Message, Payload, Publish, Published, Register, Registered, Result,
  Subscribe, Subscribed, Unregister, Unregistered, Unsubscribe, Unsubscribed, Welcome, Yield,
} from "./messages.ts";
export { Errors, ProtocolViolation } from "./errors.ts";
export type { Peer, PeerDetails } from "./peer.ts";
export type { Serializer } from "./serializer.ts";
export { fromArray, toArray } from "./codec.ts";
export { isReservedUri, isValidPattern, isValidUri, matchesPattern } from "./uri.ts";
export type { UriOptions } from "./uri.ts";
export { createIdSequence, globalId, MAX_ID } from "./ids.ts";
export type { IdSequence, IdSequenceOptions } from "./ids.ts";
export {
  cborSerializer, jsonSerializer, msgpackSerializer, serializerByRawsocketId,
  serializerBySubprotocol, serializers,
} from "./serializers/mod.ts";
