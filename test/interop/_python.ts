// Runs test/interop/py/wamp_peer.py (or another script of py/) under Debian's /usr/bin/python3
// (python3-autobahn) and collects the "@@ {json}" lines it prints; a time limit kills the script.
// The scripts import py/_common.py from their own directory (python's sys.path[0]).
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "py", "wamp_peer.py");
export const PYTHON = "/usr/bin/python3";

export interface PythonPeer {
  /** Parsed "@@" lines so far. */
  results: Record<string, unknown>[];
  /** Every output line (stderr prefixed), for failure messages. */
  output: string[];
  /** Resolves with the first "@@" object that has `key`. */
  waitFor(key: string, ms: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code; kills the script after `ms`. */
  exit(ms: number): Promise<number | null>;
  process: ChildProcess;
}

export function startPythonPeer(role: "responder" | "requester", url: string, serializer: string, tag: string): PythonPeer {
  return startPythonScript(SCRIPT, [role, url, serializer, tag]);
}

/** Runs any script of test/interop/py/ (by file name or path) with `argv`, collecting its "@@" lines. */
export function startPythonScript(script: string, argv: string[]): PythonPeer {
  const path = script.includes("/") ? script : join(dirname(SCRIPT), script);
  const child = spawn(PYTHON, [path, ...argv], {
    stdio: ["ignore", "pipe", "pipe"],
    // PYTHONDONTWRITEBYTECODE: the scripts import py/_common.py; leave no __pycache__ behind.
    env: { ...process.env, PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" },
  });
  const results: Record<string, unknown>[] = [];
  const output: string[] = [];
  let exitCode: number | null | undefined;
  const waiters: Array<() => void> = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  const lines = (prefix: string) => {
    let buffered = "";
    return (chunk: Buffer) => {
      buffered += chunk.toString();
      let i: number;
      while ((i = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, i);
        buffered = buffered.slice(i + 1);
        output.push(prefix + line);
        if (line.startsWith("@@ ")) results.push(JSON.parse(line.slice(3)));
        notify();
      }
    };
  };
  child.stdout!.on("data", lines(""));
  child.stderr!.on("data", lines("stderr: "));
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => {
      exitCode = code;
      notify();
      resolve(code);
    });
  });
  const describe = () => `python ${path} ${argv.join(" ")} output:\n${output.join("\n")}`;

  return {
    results,
    output,
    process: child,
    waitFor(key, ms) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          reject(new Error(`no "${key}" within ${ms} ms; ${describe()}`));
        }, ms);
        const check = () => {
          const found = results.find((r) => key in r);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          } else if (exitCode !== undefined) {
            clearTimeout(timer);
            reject(new Error(`exited with ${exitCode} before "${key}"; ${describe()}`));
          } else {
            waiters.push(check);
          }
        };
        check();
      });
    },
    async exit(ms) {
      const timer = setTimeout(() => child.kill("SIGKILL"), ms);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
