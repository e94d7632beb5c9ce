import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers the calling thread alone: on Linux a nice value belongs to a thread, and
 * setpriority() on the thread's id (from /proc/thread-self) leaves the process's other threads
 * as they are. False where that is not possible (not Linux, not allowed): the thread keeps the
 * process's priority.
 */
export function lowerThreadPriority(nice: number): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
