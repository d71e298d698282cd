/**
 * What a session is made of, from two JSC heap readings (heapStats().objectTypeCounts): the
 * object types whose count grew by at least 0.5 per session. Smaller growth is noise (lazily
 * created shared objects), not per-session state.
 */
export function grownTypes(before: Record<string, number>, after: Record<string, number>, sessions: number): Record<string, number> {
  const grown: Record<string, number> = {};
  for (const [type, n] of Object.entries(after)) {
    const per = (n - (before[type] ?? 0)) / Math.max(1, sessions);
    if (per >= 0.5) grown[type] = Math.round(per * 10) / 10;
  }
  return grown;
}
