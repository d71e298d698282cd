/**
 * Compiles mod.ts into a standalone executable for this machine: `bun build.ts` → dist/causeway.
 * (The full linux-x64/arm64/musl matrix with embedded version and commit is a later step;
 * see ARCHITECTURE.md §6 for the offline cross-compile facts.)
 */
declare const Bun: {
  spawnSync(cmd: string[], opts: { stdout: "inherit"; stderr: "inherit" }): { exitCode: number };
};

const out = "dist/causeway";
const result = Bun.spawnSync(
  [process.execPath, "build", "--compile", "--minify", "--sourcemap", "mod.ts", "--outfile", out],
  { stdout: "inherit", stderr: "inherit" },
);
if (result.exitCode !== 0) {
  console.error(`build failed (exit ${result.exitCode})`);
  process.exit(result.exitCode);
}
console.log(`built ${out}`);
