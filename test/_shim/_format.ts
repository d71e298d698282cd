// Value formatting for assertion messages of the bun:test shim. Uses the runtime's own inspector
// when there is one (Deno.inspect / Bun.inspect), reached through a structural slice so the file
// type-checks under both runtimes.

type Inspect = (value: unknown, options?: Record<string, unknown>) => string;

const runtimeInspect: Inspect | undefined = (() => {
  const g = globalThis as unknown as {
    Deno?: { inspect?: Inspect };
    Bun?: { inspect?: Inspect };
  };
  return g.Deno?.inspect ?? g.Bun?.inspect;
})();

export function format(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (runtimeInspect) {
    try {
      return runtimeInspect(value, { depth: 6, colors: false, compact: 3 });
    } catch {
      // fall through to the plain rendering
    }
  }
  try {
    return typeof value === "bigint" ? `${value}n` : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
