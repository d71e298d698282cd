import { type Config, defaultConfig } from "../../src/config.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Runtime } from "../../src/runtime/runtime.ts";
import { type RunningServer, startServer } from "../../src/server.ts";

export interface TestServer {
  server: RunningServer;
  runtime: Runtime;
  wsUrl: string;
  rawPort: number;
}

/**
 * The default config's listeners moved to 127.0.0.1 port 0, started in this process on the
 * runtime the tests run under. `adjust` edits the config first (limits, realms…).
 */
export async function startTestServer(adjust: (cfg: Config) => void = () => {}): Promise<TestServer> {
  const runtime = await detectRuntime();
  const cfg = defaultConfig();
  cfg.listeners = cfg.listeners.map((l) => ({ ...l, host: "127.0.0.1", port: 0 }));
  // A store admits one process (and one server) at a time: tests that need persistence set a dataDir.
  cfg.store = { dataDir: ":memory:" };
  adjust(cfg);
  const server = await startServer(cfg, { runtime });
  return {
    server,
    runtime,
    wsUrl: server.listeners.find((l) => l.transport === "websocket")!.url!,
    rawPort: server.listeners.find((l) => l.transport === "rawsocket")!.port,
  };
}
