import { ChildProcess, spawn } from 'node:child_process';

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type TaskProcess = {
  child: ChildProcess;
  exited: Promise<Exit>;
  /** Signals the whole process group, so grandchildren are reached too. */
  signal(sig: NodeJS.Signals): void;
};

/**
 * Runs `command` through `/bin/sh -c` in its own process group (detached), so cancelling
 * or timing out can stop every process it started, not only the shell.
 */
export function startTaskProcess(command: string, cwd: string, env: NodeJS.ProcessEnv): TaskProcess {
  const child = spawn('/bin/sh', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<Exit>((resolve) => {
    child.once('error', () => resolve({ code: 127, signal: null }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    exited,
    signal(sig) {
      if (!child.pid) return;
      try {
        process.kill(-child.pid, sig);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // ESRCH: the group is gone already
      }
    },
  };
}
