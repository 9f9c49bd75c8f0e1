/**
 * Peak resident memory of a process over one phase, from Linux's own accounting: writing 5 to
 * /proc/<pid>/clear_refs resets VmHWM (the high-water mark) to the current RSS, so each phase's
 * peak is its own. Where that is not allowed the peak is the process's lifetime peak.
 */
import * as fs from "node:fs";

export function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** VmHWM in MB with one decimal, or null where /proc is unavailable. */
export function peakMb(pid: number): number | null {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 102.4) / 10;
  } catch {
    return null;
  }
}
