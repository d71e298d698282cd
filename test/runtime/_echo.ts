// Shared by the runtime tests and the Deno server script: a WAMP-ish echo over any runtime.
// Each CALL is answered with a RESULT carrying the same arguments (no router involved).
import type { Runtime, ServeWebSocketOptions } from "../../src/runtime/runtime.ts";
import { acceptWebSocket, negotiateSubprotocol } from "../../src/transport/mod.ts";
import type { FrameChannel } from "../../src/transport/mod.ts";
import { MessageType } from "../../src/wamp/message_type.ts";
import type { Peer } from "../../src/wamp/peer.ts";
import { serializerBySubprotocol, serializers } from "../../src/wamp/serializers/mod.ts";

export function echo(peer: Peer): void {
  peer.onMessage = (m) => {
    if (m.type === MessageType.CALL) {
      peer.send({ type: MessageType.RESULT, request: m.request, details: {}, args: m.args, kwargs: m.kwargs });
    }
  };
}

export function echoWebSocketOptions(
  extra: Partial<ServeWebSocketOptions> = {},
): ServeWebSocketOptions {
  return {
    host: "127.0.0.1",
    port: 0,
    path: "/ws",
    protocols: serializers.map((s) => s.subprotocol),
    selectProtocol: (offered) => negotiateSubprotocol(offered, serializers)?.subprotocol,
    onConnection: (channel: FrameChannel) => {
      echo(acceptWebSocket(channel, serializerBySubprotocol(channel.protocol)!));
    },
    ...extra,
  };
}

export function serveEcho(runtime: Runtime, extra: Partial<ServeWebSocketOptions> = {}) {
  return runtime.serveWebSocket(echoWebSocketOptions(extra));
}
