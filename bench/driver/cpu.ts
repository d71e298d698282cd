/**
 * CPU time of any process on this machine from /proc/<pid>/stat (user + system), so the driver
 * can report the router's, the forwarder's and its own client processes' CPU over a window.
 * (RSS comes from bench/memory/rss.ts.)
 */
import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ; 100 on every Linux we run on

/** CPU seconds used so far by `pid` (0 when it cannot be read, e.g. the process is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds the whole machine has spent in processes so far (user + nice + system over all
 * cores, from /proc/stat), to see how much else ran beside the target and the driver. Interrupt
 * and softirq time (loopback networking is partly there) and hypervisor steal are left out: they
 * belong to no process.
 */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0];
    // cpu  user nice system idle iowait irq softirq steal ...
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    return (v[0] + v[1] + v[2]) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}
