/**
 * Resident memory of another process, read from Linux's /proc (no cooperation from that
 * process needed, so it works on `bun mod.ts`, the bare forwarder or anything else).
 *
 *   sampleRss(pid)             VmRSS now, in bytes
 *   peakRssDuring(pid, fn)     runs fn and reports the highest RSS the process reached meanwhile
 *
 * bench/run.ts calls these around its throughput scenarios ("router RSS under load").
 */
import { readFileSync, writeFileSync } from "node:fs";

/** One "VmXxx:   1234 kB" field of /proc/<pid>/status, in bytes; throws naming the pid when absent. */
function statusField(pid: number, field: "VmRSS" | "VmHWM"): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch (err) {
    throw new Error(`Cannot read /proc/${pid}/status (is process ${pid} running, and is this Linux?): ${(err as Error).message}`);
  }
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(text);
  if (!m) throw new Error(`/proc/${pid}/status has no ${field} line (a zombie or kernel thread?)`);
  return Number(m[1]) * 1024;
}

/** Resident set size of process `pid` right now, in bytes (VmRSS). */
export function sampleRss(pid: number): number {
  return statusField(pid, "VmRSS");
}

/**
 * Resets the kernel's peak-RSS mark (VmHWM) of `pid` by writing 5 to /proc/<pid>/clear_refs.
 * Needs ownership of the process (or root); returns false when not allowed, and the caller
 * then relies on its own samples only.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

export interface PeakRss<T> {
  /** What fn returned. */
  value: T;
  /** RSS when fn started and when it ended, in bytes. */
  beforeBytes: number;
  afterBytes: number;
  /**
   * The highest RSS seen while fn ran, in bytes: the larger of the periodic samples and, when
   * it could be reset at the start, the kernel's own peak mark (VmHWM), which catches spikes
   * shorter than the sampling interval.
   */
  peakBytes: number;
  /** Whether the kernel's peak mark was reset at the start and so counts in peakBytes. */
  kernelPeak: boolean;
  samples: number;
}

/**
 * Runs `fn` while sampling the RSS of `pid` every `intervalMs` (default 100 ms). A process
 * that exits meanwhile ends the sampling (the samples so far still count).
 */
export async function peakRssDuring<T>(pid: number, fn: () => T | Promise<T>, intervalMs = 100): Promise<PeakRss<T>> {
  const beforeBytes = sampleRss(pid);
  const kernelPeak = resetPeakRss(pid);
  let peak = beforeBytes;
  let samples = 1;
  let alive = true;
  const sample = () => {
    if (!alive) return;
    try {
      peak = Math.max(peak, sampleRss(pid));
      samples++;
    } catch {
      alive = false;
    }
  };
  const timer = setInterval(sample, intervalMs);
  let value: T;
  try {
    value = await fn();
  } finally {
    clearInterval(timer);
  }
  sample();
  let afterBytes = peak;
  if (alive) {
    afterBytes = sampleRss(pid);
    if (kernelPeak) peak = Math.max(peak, statusField(pid, "VmHWM"));
  }
  return { value, beforeBytes, afterBytes, peakBytes: peak, kernelPeak: kernelPeak && alive, samples };
}

/** 123456789 → "117.7 MiB" for tables. */
export function formatBytes(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (abs >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (abs >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}
