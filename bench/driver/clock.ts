/** Wall-clock milliseconds with sub-millisecond resolution, comparable across the driver's processes. */
export const now = (): number => performance.timeOrigin + performance.now();
