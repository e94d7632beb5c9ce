import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system) a process, or one of its threads, has used, from /proc (Linux; clock ticks of 10 ms). */
export function cpuSeconds(pid: number, thread?: number): number {
  return cpuOf(statFields(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`));
}

/** The fields of a /proc stat file after the command name, which is in parentheses and may hold spaces. */
function statFields(path: string): string[] {
  const stat = readFileSync(path, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** utime + stime, in clock ticks of 10 ms. */
function cpuOf(fields: string[]): number {
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Each live thread of a process: its id, nice value and CPU seconds so far (/proc/<pid>/task). */
export function threadsCpu(pid: number): { tid: number; nice: number; seconds: number }[] {
  const out: { tid: number; nice: number; seconds: number }[] = [];
  for (const entry of readdirSync(`/proc/${pid}/task`)) {
    try {
      const fields = statFields(`/proc/${pid}/task/${entry}/stat`);
      out.push({ tid: Number(entry), nice: Number(fields[16]), seconds: cpuOf(fields) });
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

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
