import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export type InstallerResult = { ok: boolean; detail: string };

/**
 * Runs one installer step (venv, pip, npm) in its own process group, hands every output line
 * to `onLine` as it comes, and kills the whole group when `deadline` passes (pip and npm
 * start children of their own). Resolves how it ended; never rejects.
 */
export function runInstaller(
  argv: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; deadline: number; onLine: (line: string) => void },
): Promise<InstallerResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
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
