/** Public surface of src/util/ for edge/ (which may import src/<folder>/mod.ts only). */
export { createManualClock, systemClock } from "./clock.ts";
export type { Clock, ManualClock, TimerHandle } from "./clock.ts";
export { createLogger, silentLogger } from "./log.ts";
export type { Logger, LogLevel } from "./log.ts";
export { Counters } from "./counters.ts";
export type { MetricFamily, Sample } from "./metrics.ts";
