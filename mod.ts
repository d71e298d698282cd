/**
 * Causeway: a WAMP router. Run it (`bun mod.ts`, `deno run -A mod.ts`, or the compiled
 * binary) or import it as a library.
 */
import { HELP, parseArgs } from "./src/cli.ts";
import { ADMIN_HELP, parseAdminArgs } from "./src/admin_cli.ts";
import { AdminCallError, adminCall } from "./src/admin_client.ts";
import { applyEnv, ConfigError, defaultConfig, parseConfigText } from "./src/config.ts";
import { detectRuntime } from "./src/runtime/detect.ts";
import { checkConfig, redactSecrets } from "./src/check_config.ts";
import { type RunningServer, startServer } from "./src/server.ts";
import { createLogger } from "./src/util/log.ts";
import { type LoadedUplinks, loadUplinks, type RunningEdge, startEdge } from "./edge/mod.ts";
import { hostname } from "node:os";
import { versionLine } from "./src/version.ts";

export { startServer } from "./src/server.ts";
export type { RunningServer, ServerOptions } from "./src/server.ts";
export { applyEnv, defaultConfig, parseConfig, parseConfigText } from "./src/config.ts";
export type { Config, ListenerConfig } from "./src/config.ts";
export { createRouter } from "./src/router/mod.ts";
export type { Router, RouterOptions } from "./src/router/mod.ts";
export { linkedPeers } from "./src/transport/local_peer.ts";
export { loadUplinks, startEdge } from "./edge/mod.ts";
export type { EdgeOptions, EdgeStatus, RunningEdge, UplinkStatus } from "./edge/mod.ts";
export { VERSION } from "./src/version.ts";

async function main(): Promise<void> {
  const runtime = await detectRuntime();
  if (runtime.args()[0] === "admin") return await admin(runtime);
  const cmd = parseArgs(runtime.args());
  switch (cmd.kind) {
    case "help":
      console.log(HELP);
      return;
    case "version":
      // deno-lint-ignore no-explicit-any
      console.log(versionLine(runtime.name, (globalThis as any).Bun?.version ?? (globalThis as any).Deno?.version?.deno));
      return;
    case "error":
      console.error(`causeway: ${cmd.message}`);
      runtime.exit(2);
      return;
    case "check-config":
      try {
        const effective = await checkConfig(cmd.configPath, runtime);
        // The uplinks section is edge/'s to validate (src/ never imports edge/): schema, key
        // and ticket files or variables, CA files — the same checks as at startup.
        const { uplinks } = await loadUplinks(effective.uplinks, cmd.configPath ?? "embedded default", runtime);
        console.log(JSON.stringify(redactSecrets(uplinks.length ? { ...effective, uplinks } : effective), null, 2));
        runtime.exit(0);
      } catch (err) {
        console.error(`causeway: ${(err as Error).message}`);
        runtime.exit(2);
      }
      return;
  }
  let config;
  let loadedUplinks: LoadedUplinks | undefined;
  try {
    const base = cmd.configPath ? parseConfigText(await readConfig(runtime, cmd.configPath), cmd.configPath) : defaultConfig();
    config = applyEnv(base, runtime.env);
    // Uplinks are checked before anything starts, so a bad section exits 2 like any config error.
    if (config.uplinks?.length) loadedUplinks = await loadUplinks(config.uplinks, cmd.configPath ?? "embedded default", runtime);
  } catch (err) {
    console.error(`causeway: ${(err as Error).message}`);
    runtime.exit(2);
    return;
  }
  const logger = createLogger({ level: cmd.logLevel ?? config.log.level, format: config.log.format });
  // Signal handlers go in before the listeners open: a SIGTERM that arrives while starting
  // (or right after "ready") must still end in an orderly exit 0.
  let server: RunningServer | undefined;
  let edge: RunningEdge | undefined;
  let stopRequested: string | undefined;
  const stop = async (signal: string) => {
    if (stopRequested) return;
    stopRequested = signal;
    if (!server) return; // startServer is still running; it stops once it returns
    logger.info("shutting down", { signal });
    // The edge first: its remote sessions leave the core and its bridges leave the local
    // realms while the router still runs.
    await edge?.stop();
    await server.stop();
    logger.info("stopped");
    runtime.exit(0);
  };
  runtime.onSignal("SIGINT", () => void stop("SIGINT"));
  runtime.onSignal("SIGTERM", () => void stop("SIGTERM"));
  // SIGHUP: re-read the TLS certificate files (results are logged; sessions stay).
  runtime.onSignal("SIGHUP", () => void server?.reloadTls());
  try {
    server = await startServer(config, { runtime, logger });
    // Edge mode: the same binary, with uplinks to a core when the config has any.
    if (config.uplinks?.length && !stopRequested) {
      edge = await startEdge({
        uplinks: config.uplinks, loaded: loadedUplinks, source: cmd.configPath, router: server.router,
        connectTcp: runtime.connectTcp, readTextFile: (p) => runtime.readTextFile(p), env: (n) => runtime.env(n),
        node: config.node, hostname, logger,
      });
      const running = edge;
      server.addMetrics(() => running.metrics());
    }
  } catch (err) {
    // A bad uplinks section (or a missing local realm) ends the start like any config error.
    await server?.stop().catch(() => {});
    logger.error((err as Error).message);
    console.error(`causeway: ${(err as Error).message}`);
    runtime.exit(1);
  }
  if (stopRequested) {
    const signal = stopRequested;
    stopRequested = undefined;
    await stop(signal);
  }
}

/** `causeway admin …`: one bondy.* call against a running router (the store is the router's). */
async function admin(runtime: Awaited<ReturnType<typeof detectRuntime>>): Promise<void> {
  const cmd = parseAdminArgs(runtime.args().slice(1), (n) => runtime.env(n));
  if (cmd.kind === "help") {
    console.log(ADMIN_HELP);
    return;
  }
  if (cmd.kind === "error") {
    console.error(`causeway admin: ${cmd.message}`);
    runtime.exit(2);
  }
  try {
    const r = await adminCall(cmd.conn, cmd.procedure, cmd.args, cmd.kwargs, runtime.connectTcp);
    console.log(JSON.stringify(r.args.length <= 1 && Object.keys(r.kwargs).length === 0 ? r.args[0] ?? null : r, null, 2));
    runtime.exit(0);
  } catch (err) {
    const uri = err instanceof AdminCallError ? err.uri : "causeway.error.connection";
    console.error(`causeway admin: ${uri}: ${(err as Error).message}`);
    runtime.exit(1);
  }
}

async function readConfig(runtime: { readTextFile(p: string): Promise<string> }, path: string): Promise<string> {
  try {
    return await runtime.readTextFile(path);
  } catch (err) {
    throw new ConfigError(`Cannot read config ${path}: ${(err as Error).message}`);
  }
}

if (import.meta.main) await main();
