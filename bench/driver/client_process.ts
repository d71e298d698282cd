/**
 * One load-generating process (started by the orchestrator with an IPC channel). It receives a
 * ClientSpec, connects and prepares its sessions, says "ready", runs its role when told to
 * start, and sends one report. Never started by hand.
 */
import type { FromClient, ToClient } from "./protocol.ts";
import { callee } from "./roles/callee.ts";
import { caller } from "./roles/caller.ts";
import { filler } from "./roles/filler.ts";
import { publisher } from "./roles/publisher.ts";
import type { RoleFactory, RoleRunner } from "./roles/role.ts";
import { subscriber } from "./roles/subscriber.ts";

const ROLES: Record<string, RoleFactory> = { caller, callee, publisher, subscriber, filler };

const send = (m: FromClient) => process.send!(m);
let runner: RoleRunner | undefined;

process.on("message", async (m: ToClient) => {
  try {
    switch (m.cmd) {
      case "setup": {
        const factory = ROLES[m.spec.role];
        if (!factory) throw new Error(`unknown role "${m.spec.role}"`);
        runner = await factory(m.spec, send);
        return send({ ev: "ready" });
      }
      case "start":
        return runner!.start(m.at, m.durationMs);
      case "window":
        return runner?.window?.(m.delivered);
      case "expect":
        return runner?.expect?.(m.count);
      case "exit":
        runner?.close();
        // Let the GOODBYE frames reach the socket before leaving.
        setTimeout(() => process.exit(0), 20);
        return;
    }
  } catch (err) {
    send({ ev: "failed", message: (err as Error).stack ?? String(err) });
  }
});

// An orchestrator that went away must not leave load generators behind.
process.on("disconnect", () => process.exit(0));
