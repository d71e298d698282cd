import type { Message } from "../wamp/messages.ts";
import type { Serializer } from "../wamp/serializer.ts";
import { atEndOfTurn } from "./outbound_queue.ts";

/**
 * Encode-once for fan-out (performance design: "an EVENT is encoded once per serializer per
 * publication"). The broker sends one EVENT object to every subscriber of a subscription in a
 * row; a one-entry cache keyed by the message's identity turns N encodes into one. A Message
 * must therefore not be mutated after it was handed to `Peer.send` (the Peer contract: messages
 * are passed by reference and treated as immutable).
 */
export function lastMessageCache<T>(encode: (msg: Message) => T): (msg: Message) => T {
  let lastMsg: Message | undefined;
  let lastOut: T | undefined;
  let clearScheduled = false;
  // Fan-out happens within one turn: forget the entry at the end of it, so a large payload is
  // not kept alive and a message object reused in a later turn is encoded afresh. The end of
  // the turn, not a microtask: a microtask per encoded message (every RPC message is new)
  // cost ~1% of a JSON router's CPU; the turn's flush task is scheduled anyway.
  const clear = () => {
    clearScheduled = false;
    lastMsg = undefined;
    lastOut = undefined;
  };
  return (msg) => {
    if (msg === lastMsg) return lastOut as T;
    const out = encode(msg);
    lastMsg = msg;
    lastOut = out;
    if (!clearScheduled) {
      clearScheduled = true;
      atEndOfTurn(clear);
    }
    return out;
  };
}

/**
 * One cached encoder per serializer, shared by every peer of a transport kind: fan-out to peers
 * with the same serializer hits the same cache.
 */
export function sharedEncoders<T>(
  make: (serializer: Serializer) => (msg: Message) => T,
): (serializer: Serializer) => (msg: Message) => T {
  const table = new WeakMap<Serializer, (msg: Message) => T>();
  return (serializer) => {
    let enc = table.get(serializer);
    if (!enc) {
      enc = lastMessageCache(make(serializer));
      table.set(serializer, enc);
    }
    return enc;
  };
}
