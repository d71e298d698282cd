import type { Message, Peer, PeerDetails } from "../src/wamp/mod.ts";

/**
 * A Peer in front of another Peer, so the uplink can watch (and, in compat mode, add to) the
 * traffic of a session it hands to a RealmBridge without the bridge knowing.
 *
 * - `inbound(msg)`: each message from the core; returns what the bridge gets (possibly a
 *   rewritten copy — never mutate: in-memory peers may share message objects), or undefined to
 *   keep it from the bridge.
 * - `outbound(msg)`: each message from the bridge; returns what goes out (possibly rewritten).
 * - `onGone()`: the underlying transport closed (after the bridge's own onClose ran).
 */
export interface PeerTapOptions {
  inbound?(msg: Message): Message | undefined;
  outbound?(msg: Message): Message;
  onGone?(): void;
}

export function tapPeer(inner: Peer, opts: PeerTapOptions): Peer {
  const outer: Peer = {
    get details(): PeerDetails {
      return inner.details;
    },
    send(msg) {
      return inner.send(opts.outbound ? opts.outbound(msg) : msg);
    },
    close(code, reason) {
      inner.close(code, reason);
    },
    onMessage: () => {},
    onClose: () => {},
    get buffered() {
      return inner.buffered;
    },
    get overLimit() {
      return inner.overLimit;
    },
    get closed() {
      return inner.closed;
    },
  };
  inner.onMessage = (msg) => {
    const delivered = opts.inbound ? opts.inbound(msg) : msg;
    if (delivered) outer.onMessage(delivered);
  };
  inner.onClose = () => {
    outer.onClose();
    opts.onGone?.();
  };
  return outer;
}
