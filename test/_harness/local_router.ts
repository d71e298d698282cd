import { createRouter, type Router, type RouterOptions } from "../../src/router/mod.ts";
import { linkedPeers } from "../../src/transport/local_peer.ts";
import { MessageClient } from "./message_client.ts";

/** A router with in-memory peers: `connect()` gives a raw client attached to it. */
export function localRouter(opts: Partial<RouterOptions> = {}): { router: Router; connect(maxQueued?: number): MessageClient } {
  const router = createRouter({ realms: [{ name: "realm1" }], ...opts });
  return {
    router,
    connect(maxQueued?: number) {
      const [clientSide, routerSide] = linkedPeers({ maxQueued });
      router.attach(routerSide);
      return new MessageClient(clientSide);
    },
  };
}

/** Connects and joins realm1; throws unless WELCOME came back. */
export async function joined(r: { connect(): MessageClient }, realm = "realm1"): Promise<MessageClient> {
  const c = r.connect();
  const reply = await c.join(realm);
  if (reply.type !== 2) throw new Error(`join failed: ${JSON.stringify(reply)}`);
  return c;
}
