import { describe, expect, test } from "bun:test";
import { HELP, parseArgs } from "../src/cli.ts";

describe("command line", () => {
  test("no arguments runs with the embedded default", () => {
    expect(parseArgs([])).toEqual({ kind: "run", configPath: undefined, logLevel: undefined });
  });

  test("--config and --log-level, in both spellings", () => {
    expect(parseArgs(["--config", "c.json", "-l", "debug"])).toEqual({ kind: "run", configPath: "c.json", logLevel: "debug" });
    expect(parseArgs(["--config=c.json", "--log-level=warn"])).toEqual({ kind: "run", configPath: "c.json", logLevel: "warn" });
    expect(parseArgs(["run", "-c", "x.json"])).toEqual({ kind: "run", configPath: "x.json", logLevel: undefined });
  });

  test("--help and --version", () => {
    expect(parseArgs(["--help"])).toEqual({ kind: "help" });
    expect(parseArgs(["-v"])).toEqual({ kind: "version" });
    expect(HELP).toContain("--config FILE");
    expect(HELP).toContain("CAUSEWAY_LISTEN_<NAME>");
  });

  test("mistakes are reported, not ignored", () => {
    const message = (argv: string[]) => {
      const cmd = parseArgs(argv);
      return cmd.kind === "error" ? cmd.message : `not an error: ${cmd.kind}`;
    };
    expect(message(["--config"])).toContain("--config needs a file path");
    expect(message(["--log-level", "loud"])).toContain("debug, info, warn, error");
    expect(message(["--port", "1"])).toContain("unknown option \"--port\"");
  });
});
