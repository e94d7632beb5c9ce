import { readdirSync, readFileSync } from 'node:fs';

// Per-process and per-thread CPU from /proc, shared with the e2e tests.
export { cpuSeconds, threadsCpu } from '../test/support/proc-stat';

/** Resident memory in bytes. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** The process whose command line listens on 127.0.0.1:`port` (`--listen-addr=…`, as the bench's FerretDB), or null. */
export function pidListeningOn(port: number): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`--listen-addr=127.0.0.1:${port}\0`)) return Number(entry);
    } catch {
      // the process ended meanwhile
    }
  }
  return null;
}

/** The machine's CPU ticks so far, busy and all (from the first line of /proc/stat), for the idle share of a span. */
export function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = f[3] + (f[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}
