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
