/**
 * Causeway's version, and the git commit a compiled binary was built from.
 *
 * build.ts passes `--define CAUSEWAY_BUILD_COMMIT="<short sha>"` to `bun build --compile`, which
 * replaces the identifier below with a string literal. Run from source (bun/deno mod.ts) the
 * global does not exist, and COMMIT is "source".
 */
export const VERSION = "0.1.0";

declare const CAUSEWAY_BUILD_COMMIT: string | undefined;

export const COMMIT: string = typeof CAUSEWAY_BUILD_COMMIT === "string" && CAUSEWAY_BUILD_COMMIT !== ""
  ? CAUSEWAY_BUILD_COMMIT
  : "source";

/** The `--version` line, e.g. `causeway 0.1.0 (abc1234, bun 1.4.5)`. */
export function versionLine(runtime: string, runtimeVersion?: string): string {
  return `causeway ${VERSION} (${COMMIT}, ${runtime}${runtimeVersion ? " " + runtimeVersion : ""})`;
}
