import { ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { TASK_SUPERVISOR_JS } from './task-supervisor.script';

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type TaskProcess = {
  /** The task's supervisor, leader of the task's process group. */
  child: ChildProcess;
  /** The process group id (the supervisor's pid); undefined when it could not start. */
  pgid: number | undefined;
  stdout: Readable;
  stderr: Readable;
  /** The shell's exit, once its output streams are closed too. */
  exited: Promise<Exit>;
  /** Signals the whole process group, so grandchildren are reached too. */
  signal(sig: NodeJS.Signals): void;
};

/**
 * Runs `command` through `/bin/sh -c` in its own process group, under a per-task supervisor
 * (task-supervisor.script.ts) that kills the group when this worker dies, so cancelling or
 * timing out stops every process it started, and so does the worker's death.
 * `env` is the task's; `supervisorEnv` the supervisor's own (node runs it); `lostGraceMs`
 * the SIGTERM → SIGKILL grace the supervisor gives the group once the worker is gone.
 */
export function startTaskProcess(command: string, cwd: string, env: NodeJS.ProcessEnv, supervisorEnv: NodeJS.ProcessEnv, lostGraceMs: number): TaskProcess {
  const child = spawn(process.execPath, ['-e', TASK_SUPERVISOR_JS], {
    cwd,
    env: supervisorEnv,
    detached: true,
    stdio: ['pipe', 'ignore', 'inherit', 'pipe', 'pipe', 'pipe'],
  });
  const fds = child.stdio as unknown as (Readable | Writable)[];
  const lifeline = fds[0] as Writable;
  const status = fds[3] as Readable;
  const stdout = fds[4] as Readable;
  const stderr = fds[5] as Readable;
  // EPIPE when the supervisor died: its exit says what happened.
  lifeline.on('error', () => undefined);
  status.on('error', () => undefined);
  lifeline.write(JSON.stringify({ command, cwd, env, lostGraceMs }) + '\n');

  const signal = (sig: NodeJS.Signals): void => {
    if (!child.pid) return;
    try {
      process.kill(-child.pid, sig);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // ESRCH: the group is gone already
    }
  };

  let reported: Exit | null = null;
  const statusClosed = new Promise<void>((r) => status.once('close', () => r()));
  const shellExit = new Promise<Exit>((resolve) => {
    readLines(status, (msg) => {
      const e = (msg as { exit?: Exit }).exit;
      if (e && !reported) {
        reported = { code: e.code ?? null, signal: e.signal ?? null };
        resolve(reported);
      }
    });
    child.once('error', () => resolve({ code: 127, signal: null }));
    child.once('exit', (code, sig) => {
      // Everything it wrote on fd 3 is read first: its report, when it made one, is the shell's.
      void statusClosed.then(() => {
        if (reported) return;
        // Gone without a report: killed with its group (the shell got the same signal), or on
        // its own, when the group is killed here so nothing runs unsupervised.
        signal('SIGKILL');
        resolve({ code, signal: sig });
      });
    });
  });
  const closed = (s: Readable) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));
  const exited = Promise.all([shellExit, closed(stdout), closed(stderr)]).then(([e]) => e);
  return { child, pgid: child.pid, stdout, stderr, exited, signal };
}

/** Calls `onLine` with each JSON line of `stream` (lines that are not JSON are skipped). */
function readLines(stream: Readable, onLine: (msg: unknown) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        onLine(JSON.parse(line));
      } catch {
        // Not ours to parse (a stray write): the supervisor's exit still decides.
      }
    }
  });
}
