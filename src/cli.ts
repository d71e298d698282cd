import type { LogLevel } from "./util/log.ts";

/** What the command line asks for. Pure: argv in, command out (tested without a process). */
export type CliCommand =
  | { kind: "run"; configPath?: string; logLevel?: LogLevel }
  | { kind: "help" }
  | { kind: "version" }
  /** Validate a config file (or the embedded default) and print the effective config. */
  | { kind: "check-config"; configPath?: string }
  | { kind: "error"; message: string };

export const HELP = `Causeway — a WAMP router (RPC and pub/sub) for WebSocket and RawSocket.

Usage:
  causeway [--config FILE] [--log-level LEVEL]
  causeway check-config [FILE]  validate FILE as at startup (env overrides, TLS files), print
                                the effective config as JSON (secrets redacted); exit 0, or 2
  causeway --help | --version
  causeway admin <command> …   manage a running router (users, grants, realms): admin --help

Options:
  -c, --config FILE     JSON configuration file. Without it Causeway runs an embedded default:
                        WebSocket on 0.0.0.0:8080 (path /ws), RawSocket on 0.0.0.0:8081,
                        realm "realm1" open to anonymous sessions.
  -l, --log-level L     debug | info | warn | error (default: info, or the config's log.level)
  -h, --help            Show this help.
  -v, --version         Print the version.

Environment:
  CAUSEWAY_LISTEN_<NAME>=host:port   Override the address of the listener named <name>
                                     (e.g. CAUSEWAY_LISTEN_WS=127.0.0.1:9000; port 0 = any free port).
  CAUSEWAY_LOG_LEVEL=L               Same as --log-level.

Edge mode: a config with an "uplinks" section also bridges chosen procedures and topics of
local realms to a remote Causeway (one multiplexed edge link, or plain WAMP in compat mode);
the core enables it with "edge": true on a listener. See the README's "Edge" section;
check-config validates uplinks too, and causeway.edge.status reports the link on each bridged realm.

Logs are JSON lines on stdout. SIGHUP re-reads the listeners' TLS certificate and key files for new connections
(open sessions stay). SIGINT/SIGTERM close the listeners, send GOODBYE
(wamp.close.system_shutdown) to every session and exit 0.
`;

const LEVELS = ["debug", "info", "warn", "error"];

export function parseArgs(argv: string[]): CliCommand {
  if (argv[0] === "check-config") {
    if (argv.length > 2) return { kind: "error", message: "check-config takes one config file (see --help)" };
    return { kind: "check-config", configPath: argv[1] };
  }
  let configPath: string | undefined;
  let logLevel: LogLevel | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "-h": case "--help": return { kind: "help" };
      case "-v": case "--version": return { kind: "version" };
      case "-c": case "--config": {
        configPath = value();
        if (!configPath) return { kind: "error", message: "--config needs a file path, e.g. --config causeway.json" };
        break;
      }
      case "-l": case "--log-level": {
        const v = value();
        if (!v || !LEVELS.includes(v)) return { kind: "error", message: `--log-level takes one of ${LEVELS.join(", ")}` };
        logLevel = v as LogLevel;
        break;
      }
      case "run":
        if (i === 0) break;
        return { kind: "error", message: `unexpected argument "${arg}" (see --help)` };
      default:
        return { kind: "error", message: `unknown option "${arg}" (see --help)` };
    }
  }
  return { kind: "run", configPath, logLevel };
}
