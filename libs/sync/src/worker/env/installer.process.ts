import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';

export type InstallerResult = { ok: boolean; detail: string };

/**
 * Runs one installer step (venv, pip, npm) in its own process group, hands every output line
 * to `onLine` as it comes, and kills the whole group when `deadline` passes (pip and npm
 * start children of their own). Resolves how it ended; never rejects.
 */
export function runInstaller(
  argv: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; deadline: number; onLine: (line: string) => void; onSpawn?: (pgid: number) => void },
): Promise<InstallerResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid) opts.onSpawn?.(child.pid);
    let timedOut = false;
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch (err) {
        // ESRCH: the group is already gone, which is what we wanted.
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, Math.max(0, opts.deadline - Date.now()));
    const closed = [child.stdout, child.stderr].map((s) => {
      const rl = createInterface({ input: s, crlfDelay: Infinity });
      rl.on('line', (l) => opts.onLine(l));
      return new Promise<void>((r) => rl.once('close', () => r()));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: `${argv[0]} could not start: ${err.message}` });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      void Promise.all(closed).then(() => {
        if (timedOut) resolve({ ok: false, detail: 'timed out' });
        else if (code === 0) resolve({ ok: true, detail: '' });
        else resolve({ ok: false, detail: signal ? `killed by ${signal}` : `exit code ${code}` });
      });
    });
  });
}

/**
 * Kills an installer's process group left running by a worker that was killed mid-build
 * (installers run in their own group, so they outlive it). Only when a member of that group
 * still works in `tmpDir` (its command line or cwd names it): a recycled group id belongs
 * to someone else. Gone already is fine.
 */
export function killInstallerGroup(pgid: number, tmpDir: string): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1 || !groupWorksIn(pgid, tmpDir)) return false;
  try {
    process.kill(-pgid, 'SIGKILL');
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

function groupWorksIn(pgid: number, dir: string): boolean {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return false; // no /proc (not Linux): leave the orphan alone rather than guess
  }
  for (const pid of pids) {
    try {
      // Field 5 of /proc/<pid>/stat is the process group; the name in field 2 may hold spaces.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cmdline.includes(dir) || cwd === dir) return true;
    } catch {
      continue; // the process ended while we looked
    }
  }
  return false;
}
