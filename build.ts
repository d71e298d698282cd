/**
 * Compiles mod.ts into standalone executables: `bun build.ts [--target NAME ...] [--fetch]`.
 *
 * Targets (default: all): linux-x64, linux-x64-baseline, linux-arm64, linux-x64-musl,
 * linux-arm64-musl → dist/causeway-<target>. The git commit is embedded (src/version.ts), so
 * `causeway --version` prints e.g. `causeway 0.1.0 (abc1234, bun 1.4.5)`.
 *
 * Offline: each target needs Bun's executable for that platform, taken from the npm package
 * @oven/bun-<platform>@<this bun's version> packed into .cache/bun-targets/ (`--fetch` runs the
 * `npm pack` for the missing ones; without network, copy the .tgz files there by hand). The
 * host's own target (linux-x64 on x64, linux-arm64 on arm64) uses the running bun instead.
 *
 * The binaries never autoload .env or bunfig.toml from the directory they run in.
 */
declare const Bun: {
  version: string;
  spawnSync(cmd: string[], opts: { stdout: "inherit" | "pipe"; stderr: "inherit" | "pipe"; cwd?: string }): {
    exitCode: number;
    stdout?: { toString(): string };
    stderr?: { toString(): string };
  };
  file(path: string): { exists(): Promise<boolean>; size: number };
};

/** Causeway target → [bun --target, npm package]. */
export const TARGETS: Record<string, [string, string]> = {
  "linux-x64": ["bun-linux-x64", "@oven/bun-linux-x64"],
  "linux-x64-baseline": ["bun-linux-x64-baseline", "@oven/bun-linux-x64-baseline"],
  "linux-arm64": ["bun-linux-arm64", "@oven/bun-linux-aarch64"],
  "linux-x64-musl": ["bun-linux-x64-musl", "@oven/bun-linux-x64-musl"],
  "linux-arm64-musl": ["bun-linux-arm64-musl", "@oven/bun-linux-aarch64-musl"],
};

const CACHE = ".cache/bun-targets";
const OUT_DIR = "dist";

function run(cmd: string[], quiet = false): { ok: boolean; out: string; err: string } {
  const r = Bun.spawnSync(cmd, { stdout: quiet ? "pipe" : "inherit", stderr: quiet ? "pipe" : "inherit" });
  return { ok: r.exitCode === 0, out: r.stdout?.toString().trim() ?? "", err: r.stderr?.toString().trim() ?? "" };
}

function gitCommit(): string {
  const r = run(["git", "rev-parse", "--short=7", "HEAD"], true);
  if (!r.ok || !r.out) return "unknown";
  const dirty = run(["git", "status", "--porcelain", "--untracked-files=no"], true);
  return dirty.ok && dirty.out ? `${r.out}-dirty` : r.out;
}

function hostTarget(): string | undefined {
  if (process.platform !== "linux") return undefined;
  return process.arch === "x64" ? "linux-x64" : process.arch === "arm64" ? "linux-arm64" : undefined;
}

/** The bun executable for `target`, unpacked from the cached npm tarball; undefined when missing. */
async function executableFor(target: string, fetch: boolean): Promise<string | undefined> {
  if (target === hostTarget()) return process.execPath;
  const pkg = TARGETS[target][1];
  const tgz = `${CACHE}/${pkg.slice(1).replace("/", "-")}-${Bun.version}.tgz`;
  const exe = `${CACHE}/${target}-${Bun.version}/package/bin/bun`;
  if (await Bun.file(exe).exists()) return exe;
  if (!(await Bun.file(tgz).exists()) && fetch) {
    run(["mkdir", "-p", CACHE]);
    run(["npm", "pack", "--silent", "--pack-destination", CACHE, `${pkg}@${Bun.version}`]);
  }
  if (!(await Bun.file(tgz).exists())) return undefined;
  run(["mkdir", "-p", `${CACHE}/${target}-${Bun.version}`]);
  if (!run(["tar", "xzf", tgz, "-C", `${CACHE}/${target}-${Bun.version}`]).ok) return undefined;
  return exe;
}

async function main(argv: string[]): Promise<number> {
  const targets: string[] = [];
  let fetch = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--fetch") fetch = true;
    else if (a === "--target" || a.startsWith("--target=")) {
      const t = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (!t || !(t in TARGETS)) {
        console.error(`build: unknown target "${t ?? ""}"; one of ${Object.keys(TARGETS).join(", ")}`);
        return 2;
      }
      targets.push(t);
    } else {
      console.error(`build: unknown argument "${a}"\nusage: bun build.ts [--target NAME ...] [--fetch]`);
      return 2;
    }
  }
  if (targets.length === 0) targets.push(...Object.keys(TARGETS));

  const commit = gitCommit();
  let failed = 0;
  for (const target of targets) {
    const exe = await executableFor(target, fetch);
    if (!exe) {
      const pkg = `${TARGETS[target][1]}@${Bun.version}`;
      console.error(
        `build: ${target}: missing Bun executable ${pkg} (looked in ${CACHE}/).\n` +
          `  get it with: mkdir -p ${CACHE} && npm pack ${pkg} --pack-destination ${CACHE}\n` +
          `  (or run: bun build.ts --fetch --target ${target})`,
      );
      failed++;
      continue;
    }
    const out = `${OUT_DIR}/causeway-${target}`;
    const r = run([
      process.execPath, "build", "mod.ts", "--compile", "--minify", "--sourcemap",
      `--target=${TARGETS[target][0]}`,
      `--compile-executable-path=${exe}`,
      "--no-compile-autoload-dotenv",
      "--no-compile-autoload-bunfig",
      "--define", `CAUSEWAY_BUILD_COMMIT=${JSON.stringify(commit)}`,
      "--outfile", out,
    ], true);
    if (!r.ok) {
      console.error(`build: ${target} failed:\n${r.err || r.out}`);
      failed++;
      continue;
    }
    console.log(`built ${out} (${(Bun.file(out).size / 1e6).toFixed(1)} MB, commit ${commit})`);
  }
  return failed ? 1 : 0;
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
