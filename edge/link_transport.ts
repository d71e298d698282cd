import type { EdgeLinkClient } from "../src/transport/mod.ts";
import type { UplinkConnection, UplinkTransport } from "./uplink.ts";

/**
 * Link mode: the whole uplink rides one edge link (src/transport/edge_link_client.ts); each
 * bridged realm's session is a channel on it, and the keepalive uses the link's PING/PONG.
 */
export function linkTransport(connect: (onCarrierOpen?: () => void) => Promise<EdgeLinkClient>): UplinkTransport {
  return {
    async connect(onHandshaking) {
      const link = await connect(onHandshaking);
      return connectionOver({
        remoteNode: link.remoteNode,
        peer: () => link.openChannel(),
        keepalives: [{ lastReceivedAt: () => link.lastReceivedAt, ping: (t) => link.ping(t) }],
        close: (reason) => link.close(reason),
        terminate: () => link.terminate(),
        listen: (onClose) => {
          link.onClose = onClose;
        },
      });
    },
  };
}

/**
 * An UplinkConnection whose `onClose` also reports a close that happened before the uplink
 * set its handler (between the connect resolving and the uplink taking over).
 */
export function connectionOver(parts: Omit<UplinkConnection, "onClose"> & { listen(onClose: (reason: string) => void): void }): UplinkConnection {
  let closedWith: string | undefined;
  let handler: (reason: string) => void = () => {};
  parts.listen((reason) => {
    if (closedWith !== undefined) return;
    closedWith = reason;
    handler(reason);
  });
  return {
    remoteNode: parts.remoteNode,
    peer: parts.peer,
    keepalives: parts.keepalives,
    close: parts.close,
    terminate: parts.terminate,
    get onClose() {
      return handler;
    },
    set onClose(fn: (reason: string) => void) {
      handler = fn;
      if (closedWith !== undefined) fn(closedWith);
    },
  };
}
