import type { Router } from "../src/router/mod.ts";
import type { Peer } from "../src/wamp/mod.ts";
import { type Logger, silentLogger } from "../src/util/mod.ts";
import type { UplinkStatus } from "./uplink.ts";
import { WampSession } from "./wamp_session.ts";

/**
 * `causeway.edge.status` on every bridged local realm: one internal session per realm (an
 * in-memory peer attached as internal, so the bridges' loop guard never exports it) registers
 * the procedure. It returns, as args[0]:
 *   { node, uplinks: [{ name, url, mode, state, since, reconnects, remoteNode?, lastError?,
 *     nextAttemptAt?, realms: [BridgeStatus…] }] }
 * Callers need a `wamp.call` grant on it where the realm has security on.
 */
export const STATUS_PROCEDURE = "causeway.edge.status";

export interface EdgeStatus {
  node: string;
  uplinks: UplinkStatus[];
}

export interface StatusServiceOptions {
  router: Router;
  realms: string[];
  status: () => EdgeStatus;
  linkPeers: () => [Peer, Peer];
  logger?: Logger;
}

export interface StatusService {
  stop(): Promise<void>;
}

export async function startStatusService(opts: StatusServiceOptions): Promise<StatusService> {
  const log = opts.logger ?? silentLogger;
  const sessions: WampSession[] = [];
  for (const realm of new Set(opts.realms)) {
    const [mine, routerSide] = opts.linkPeers();
    opts.router.attach(routerSide, { internal: true });
    const session = new WampSession(mine);
    sessions.push(session);
    try {
      await session.join({ realm, authid: "causeway.edge" });
      await session.register(STATUS_PROCEDURE, (_inv, reply) => {
        try {
          reply.result({ args: [opts.status()] });
        } catch (err) {
          reply.error("wamp.error.runtime_error", { args: [(err as Error).message] });
        }
      });
    } catch (err) {
      log.error("cannot register the edge status procedure", { realm, procedure: STATUS_PROCEDURE, error: (err as Error).message });
    }
  }
  return {
    async stop() {
      await Promise.allSettled(sessions.map((s) => s.leave()));
    },
  };
}
