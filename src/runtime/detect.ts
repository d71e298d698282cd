import type { Runtime } from "./runtime.ts";

/**
 * Picks the runtime adapter. The adapters are imported dynamically so Deno never loads bun.ts
 * and Bun never loads deno.ts.
 */
export async function detectRuntime(): Promise<Runtime> {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  if (typeof g.Bun !== "undefined") return (await import("./bun.ts")).createBunRuntime();
  if (typeof g.Deno !== "undefined") return (await import("./deno.ts")).createDenoRuntime();
  throw new Error("Causeway runs on Bun or Deno; this JavaScript runtime is neither");
}
