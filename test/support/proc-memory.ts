import { readFileSync, writeFileSync } from 'node:fs';

/** Resident set size now and its peak (VmHWM), in bytes, from /proc/<pid>/status. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`${field} missing in /proc/${pid}/status`);
    return Number(m[1]) * 1024;
  };
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/**
 * Resets the peak (VmHWM) to the current RSS (`echo 5 > /proc/<pid>/clear_refs`, Linux
 * 4.0+), so a later peak measures growth from now, including spikes between samples.
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Tracks the growth of a process over a stretch of work: peak minus the RSS at the start. */
export class MemoryWatch {
  private readonly baseline: number;
  private maxSeen: number;
  private readonly timer: NodeJS.Timeout;
  readonly peakReset: boolean;

  constructor(private readonly pid: number, everyMs = 25) {
    this.peakReset = resetPeak(pid);
    this.baseline = memoryOf(pid).rss;
    this.maxSeen = this.baseline;
    // Sampling as well, in case clear_refs is not allowed here.
    this.timer = setInterval(() => {
      try {
        this.maxSeen = Math.max(this.maxSeen, memoryOf(this.pid).rss);
      } catch {
        clearInterval(this.timer); // the process exited
      }
    }, everyMs);
  }

  stop(): { baselineMb: number; peakMb: number; growthMb: number } {
    clearInterval(this.timer);
    const now = memoryOf(this.pid);
    const peak = this.peakReset ? Math.max(now.peak, this.maxSeen) : Math.max(now.rss, this.maxSeen);
    const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
    return { baselineMb: mb(this.baseline), peakMb: mb(peak), growthMb: mb(peak - this.baseline) };
  }
}
