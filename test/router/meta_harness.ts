import { linkedPeers } from "../../src/transport/local_peer.ts";
import type { RouterOptions } from "../../src/router/mod.ts";
import { MessageType as T } from "../../src/wamp/message_type.ts";
import type { Dict, Message } from "../../src/wamp/messages.ts";
import { createManualClock } from "../../src/util/clock.ts";
import { joined, localRouter } from "../_harness/local_router.ts";
import type { MessageClient } from "../_harness/message_client.ts";

/**
 * A local router running the meta API. The meta session joins and registers over in-memory
 * peers, which deliver in microtasks: one macrotask turn later it is ready.
 */
export async function metaRouter(opts: Partial<RouterOptions> = {}) {
  const r = localRouter({ clock: createManualClock(), linkPeers: () => linkedPeers(), ...opts });
  await settle();
  return r;
}

/** Lets every queued in-memory message be delivered (they all travel in microtasks). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export { joined };

/** Calls a meta procedure and returns its RESULT or ERROR. */
export function metaCall(c: MessageClient, procedure: string, args?: unknown[], kwargs?: Dict): Promise<Message> {
  return c.replyTo(c.call(procedure, args, kwargs));
}

/** The RESULT's Arguments of a successful call (throws on ERROR). */
export async function metaResult(c: MessageClient, procedure: string, args?: unknown[], kwargs?: Dict): Promise<unknown[]> {
  const reply = await metaCall(c, procedure, args, kwargs);
  if (reply.type !== T.RESULT) throw new Error(`${procedure} failed: ${JSON.stringify(reply)}`);
  return reply.args ?? [];
}

/** Subscribes to meta topics; `events()` gives [topic, args] pairs in arrival order. */
export async function metaWatcher(c: MessageClient, topics: string[]) {
  const bySubscription = new Map<number, string>();
  for (const t of topics) bySubscription.set(await c.subscribe(t), t);
  // The watcher's own subscriptions are meta events too: start after them.
  await settle();
  await c.idle(0);
  return {
    async events(): Promise<[string, unknown[]][]> {
      await settle();
      const out: [string, unknown[]][] = [];
      for (const m of await c.idle(0)) {
        if (m.type === T.EVENT && bySubscription.has(m.subscription)) out.push([bySubscription.get(m.subscription)!, m.args ?? []]);
      }
      return out;
    },
  };
}
