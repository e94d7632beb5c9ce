import { readdirSync, readFileSync } from 'node:fs';

/** The fields of /proc/<pid>/stat we need: its process group and its start time (clock ticks since boot). */
export type ProcStat = { pid: number; pgrp: number; startTicks: string };

/**
 * Parses a /proc/<pid>/stat line. The command name (field 2) is in parentheses and may hold
 * spaces or parentheses itself, so fields are counted from the last ')'.
 */
export function parseProcStat(line: string): ProcStat | null {
  const close = line.lastIndexOf(')');
  if (close < 0) return null;
  const pid = Number.parseInt(line.slice(0, line.indexOf(' ')), 10);
  // After ')': state(3) ppid(4) pgrp(5) ... starttime(22).
  const rest = line.slice(close + 2).split(' ');
  const pgrp = Number.parseInt(rest[2], 10);
  const startTicks = rest[19];
  if (!Number.isFinite(pid) || !Number.isFinite(pgrp) || !startTicks || !/^\d+$/.test(startTicks)) return null;
  return { pid, pgrp, startTicks };
}

/** The stat of one process, or null when it does not exist (or /proc is not there). */
export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') return null;
    throw err;
  }
}

/** Every process whose group is `pgrp` (the leader may have exited while its group lives on). */
export function processesInGroup(pgrp: number): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readProcStat(Number(name));
    if (st && st.pgrp === pgrp) out.push(st);
  }
  return out;
}
