/**
 * Named monotonically increasing counters, shaped so a metrics endpoint can export them
 * later without the counting code changing. Incrementing is a Map lookup: cheap enough for
 * the per-message path.
 */
export class Counters {
  private readonly values = new Map<string, number>();

  inc(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.values.get(name) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.values);
  }
}
