/**
 * The two processes the scenarios run against: Causeway itself (`bun mod.ts` with a bench
 * config: realm1 anonymous, WebSocket and RawSocket on free loopback ports, no session cap)
 * and the bare forwarder (bench/bare_forwarder.ts), each in its own process.
 */
import { fileURLToPath } from "node:url";
import { startRouterProcess } from "../../test/_harness/router_process.ts";
import type { Target } from "../scenarios/scenario.ts";

export interface RunningTarget extends Target {
  stop(): Promise<void>;
}

export const BENCH_CONFIG = {
  listeners: [
    { name: "ws", transport: "websocket", host: "127.0.0.1", port: 0, path: "/ws" },
    { name: "rawsocket", transport: "rawsocket", host: "127.0.0.1", port: 0 },
  ],
  realms: [{ name: "realm1", anonymous: true }],
  // 1000 subscribers plus 10k registrations must fit; no per-session request rate.
  limits: { maxSessions: 0, requestsPerSecond: 0 },
  log: { level: "info", format: "json" },
};

export async function startCauseway(): Promise<RunningTarget> {
  const router = await startRouterProcess({ config: BENCH_CONFIG });
  const ws = router.listeners.ws;
  return {
    name: "causeway",
    endpoint: { host: "127.0.0.1", wsPort: ws.port, wsPath: "/ws", rawsocketPort: router.rawsocketPort },
    pid: router.process.pid!,
    stop: async () => void (await router.stop()),
  };
}

const FORWARDER = fileURLToPath(new URL("../bare_forwarder.ts", import.meta.url));

export async function startBareForwarder(): Promise<RunningTarget> {
  const proc = Bun.spawn([process.execPath, FORWARDER, "--host", "127.0.0.1"], { stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  let text = "";
  const deadline = Date.now() + 15_000;
  while (!text.includes("\n")) {
    const { value, done } = await Promise.race([reader.read(), Bun.sleep(Math.max(0, deadline - Date.now())).then(() => ({ value: undefined, done: true }))]);
    if (done) {
      proc.kill("SIGKILL");
      throw new Error(`bare forwarder did not report its ports (output: ${JSON.stringify(text)})`);
    }
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const line = JSON.parse(text.slice(0, text.indexOf("\n"))) as { ws: number; rawsocket: number };
  return {
    name: "bare",
    endpoint: { host: "127.0.0.1", wsPort: line.ws, wsPath: "/ws", rawsocketPort: line.rawsocket },
    pid: proc.pid,
    stop: async () => {
      proc.kill("SIGTERM");
      await Promise.race([proc.exited, Bun.sleep(3000)]);
      if (proc.exitCode === null) proc.kill("SIGKILL");
    },
  };
}
