import { ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { TASK_LAUNCH_SH } from './task-launch.script';

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type TaskProcess = {
  /** The task's shell, leader of the task's process group. */
  child: ChildProcess;
  /** The process group id (the shell's pid); undefined when it could not start. */
  pgid: number | undefined;
  stdout: Readable;
  stderr: Readable;
  /** The shell's exit, once its output streams are closed too. */
  exited: Promise<Exit>;
  /** Signals the whole process group, so grandchildren are reached too. */
  signal(sig: NodeJS.Signals): void;
};

/**
 * Runs `command` through `/bin/sh -c` in its own process group, with a lifeline watcher in the
 * group (task-launch.script.ts) that kills the group when this worker dies, so cancelling or
 * timing out stops every process it started, and so does the worker's death.
 * `env` is the task's; `lostGraceMs` the SIGTERM → SIGKILL grace the watcher gives the group
 * once the worker is gone.
 */
export function startTaskProcess(command: string, cwd: string, env: NodeJS.ProcessEnv, lostGraceMs: number): TaskProcess {
  const child = spawn('/bin/sh', ['-c', TASK_LAUNCH_SH, 'crawlnest-task', command, (lostGraceMs / 1000).toFixed(3)], {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  // Node makes an extra stdio pipe readable too: its end of file says the watcher is gone (the
  // group was killed), and the handle is released then.
  const lifeline = child.stdio[3] as Readable & Writable;
  // EPIPE when the group is gone: the exit says what happened.
  lifeline.on('error', () => undefined);
  lifeline.once('end', () => lifeline.destroy());
  lifeline.resume();
  let shellExited = false;

  const signal = (sig: NodeJS.Signals): void => {
    // SIGKILL after the shell's exit ends the group for good: the lifeline's end is closed
    // with it (the watcher would have killed the group on that end of file anyway).
    if (sig === 'SIGKILL' && shellExited) lifeline.destroy();
    if (!child.pid) return;
    try {
      process.kill(-child.pid, sig);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // ESRCH: the group is gone already
    }
  };

  // The leader is the task's shell itself (exec'd by the launcher): its exit is the task's.
  const shellExit = new Promise<Exit>((resolve) => {
    child.once('error', () => {
      shellExited = true;
      resolve({ code: 127, signal: null });
    });
    child.once('exit', (code, sig) => {
      shellExited = true;
      resolve({ code, signal: sig });
    });
  });
  const stdout = child.stdout as Readable;
  const stderr = child.stderr as Readable;
  const closed = (s: Readable) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));
  const exited = Promise.all([shellExit, closed(stdout), closed(stderr)]).then(([e]) => e);
  return { child, pgid: child.pid, stdout, stderr, exited, signal };
}

