// Two in-process routers joined by a RealmBridge, the way compat mode and the edge link join
// them: the bridge's remote Peer is one end of a linkedPeers pair whose other end is attached
// to the "core" router (with transport "edge", as a link channel is).
import { createRouter, type Router, type RouterOptions } from "../../src/router/mod.ts";
import { linkedPeers } from "../../src/transport/mod.ts";
import { Counters } from "../../src/util/mod.ts";
import type { Dict, Peer } from "../../src/wamp/mod.ts";
import { MessageClient } from "../_harness/message_client.ts";
import { RealmBridge, type RealmBridgeOptions } from "../../edge/realm_bridge.ts";

export const URL = "ws://core.test:8080/ws";

/** Roles with the features a real client announces (progress, canceling). */
export const FULL_ROLES: Dict = {
  caller: { features: { progressive_call_results: true, call_canceling: true } },
  callee: { features: { progressive_call_results: true, call_canceling: true } },
  publisher: {},
  subscriber: {},
};

export interface Pair {
  core: Router;
  edge: Router;
  bridge: RealmBridge;
  counters: Counters;
  /** A fresh remote peer (link channel) attached to the core; the bridge gets the other end. */
  link(): Peer;
  /** Connects the bridge over a new link peer; returns the peer (close it to cut the link). */
  up(): Promise<Peer>;
  /** Cuts the current link: closes the peer and tells the bridge. */
  down(peer: Peer): void;
  coreClient(details?: Dict): Promise<MessageClient>;
  edgeClient(details?: Dict): Promise<MessageClient>;
  stop(): Promise<void>;
}

export async function bridged(
  over: Partial<RealmBridgeOptions> = {},
  coreOpts: Partial<RouterOptions> = {},
  { start = true }: { start?: boolean } = {},
): Promise<Pair> {
  const core = createRouter({ realms: [{ name: "core1" }], linkPeers: linkedPeers, ...coreOpts });
  const edge = createRouter({ realms: [{ name: "site" }], linkPeers: linkedPeers });
  const counters = new Counters();
  const bridge = new RealmBridge({
    name: "cloud", remoteUrl: URL, router: edge, localRealm: "site", remoteRealm: "core1",
    exportProcedures: [], importProcedures: [], exportTopics: [], importTopics: [],
    auth: { method: "anonymous" }, buffer: { maxMessages: 100, overflow: "drop_oldest" },
    linkPeers: linkedPeers, counters, ...over,
  });
  if (start) await bridge.start();
  const link = () => {
    const [edgeSide, coreSide] = linkedPeers({ details: { transport: "edge" } });
    core.attach(coreSide);
    return edgeSide;
  };
  const client = async (router: Router, realm: string, details: Dict = {}) => {
    const [mine, theirs] = linkedPeers();
    router.attach(theirs);
    const c = new MessageClient(mine);
    const w = await c.join(realm, { roles: FULL_ROLES, ...details });
    if (w.type !== 2) throw new Error(`join ${realm} failed: ${JSON.stringify(w)}`);
    return c;
  };
  return {
    core, edge, bridge, counters, link,
    async up() {
      const p = link();
      await bridge.connect(p);
      return p;
    },
    down(peer) {
      peer.close();
      bridge.disconnected("link lost (test)");
    },
    coreClient: (d) => client(core, "core1", d),
    edgeClient: (d) => client(edge, "site", d),
    async stop() {
      await bridge.stop();
      core.shutdown();
      edge.shutdown();
    },
  };
}

/** Lets queued in-memory deliveries (microtasks and a few timer turns) run. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setTimeout(r, 1));
}

/** Waits until `pred()` holds, checking after each delivery turn; throws naming `what` otherwise. */
export async function until(pred: () => boolean, what: string, turns = 500): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`never happened: ${what}`);
}
