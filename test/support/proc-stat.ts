import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system) a process has used, from /proc (Linux; clock ticks of 10 ms). */
export function cpuSeconds(pid: number): number {
  return cpuOf(statFields(`/proc/${pid}/stat`));
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
