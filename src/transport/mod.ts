/** Public surface of the transport layer: Peers out of sockets. */
export type { ByteChannel, FrameChannel, TcpConnect, TcpConnectOptions, WireData } from "./channel.ts";
export { linkedPeers } from "./local_peer.ts";
export type { LinkedPeersOptions } from "./local_peer.ts";
export { DEFAULT_GRACE_MS, DEFAULT_MAX_BUFFERED_BYTES } from "./outbound_queue.ts";
export type { OutboundOptions } from "./outbound_queue.ts";
export { CloseCode } from "./framed_peer.ts";
export { acceptWebSocket, DEFAULT_MAX_MESSAGE_LENGTH, negotiateSubprotocol, selectSubprotocol } from "./websocket.ts";
export type { WebSocketPeerOptions } from "./websocket.ts";
export { connectWebSocket } from "./websocket_client.ts";
export type { WebSocketConnectOptions } from "./websocket_client.ts";
export { acceptRawSocket, announcedLength } from "./rawsocket.ts";
export type { RawSocketAcceptOptions, RawSocketPeerOptions } from "./rawsocket.ts";
export { connectRawSocket } from "./rawsocket_client.ts";
export type { RawSocketConnectOptions } from "./rawsocket_client.ts";
export {
  EDGE_LINK_VERSION, EDGE_RAWSOCKET_SERIALIZER_ID, EDGE_SUBPROTOCOL, LinkAbortReason,
} from "./edge_link_frames.ts";
export { acceptEdgeWebSocket, DEFAULT_CORE_KEEPALIVE, DEFAULT_EDGE_MAX_CHANNELS } from "./edge_link_server.ts";
export type { EdgeLinkAcceptOptions, EdgeLinkInfo } from "./edge_link_server.ts";
export { connectEdgeLink, EdgeLinkError } from "./edge_link_client.ts";
export type { EdgeLinkClient, EdgeLinkConnectOptions } from "./edge_link_client.ts";
