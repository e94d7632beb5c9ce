import { readdirSync, readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { startTaskProcess, TaskProcess } from './process-group';

const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

function start(command: string, lostGraceMs = 200): TaskProcess {
  return startTaskProcess(command, process.cwd(), { ...ENV, GREETING: 'hello' }, lostGraceMs);
}

function collect(s: Readable): Promise<string> {
  return new Promise((res) => {
    let text = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (text += d));
    s.once('close', () => res(text));
  });
}

/** Whether the pid runs (a zombie does not). */
function running(pid: number): boolean {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Whether any live process of the group is left (a zombie waiting for init to reap it is not). */
function groupAlive(pgid: number): boolean {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , pgrp] = s.slice(s.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('startTaskProcess (with its lifeline watcher)', () => {
  it('passes the task its environment, its stdout and stderr apart, and its exit code', async () => {
    const p = start('echo "$GREETING out"; echo err >&2; exit 3');
    const [out, err, exit] = await Promise.all([collect(p.stdout), collect(p.stderr), p.exited]);
    expect({ out, err, exit }).toEqual({ out: 'hello out\n', err: 'err\n', exit: { code: 3, signal: null } });
    p.signal('SIGKILL');
  });

  it('reports a signal that killed the shell as a signal', async () => {
    const p = start('kill -TERM $$');
    void collect(p.stdout);
    void collect(p.stderr);
    expect(await p.exited).toEqual({ code: null, signal: 'SIGTERM' });
    p.signal('SIGKILL');
  });

  it('a SIGTERM to the group reaches the task, not the watcher, and the task\'s own exit is reported', async () => {
    const p = start('trap "echo trapped; exit 7" TERM; echo ready; while :; do sleep 0.05; done');
    const out = collect(p.stdout);
    void collect(p.stderr);
    await new Promise<void>((res) => p.stdout.once('data', () => res()));
    p.signal('SIGTERM');
    expect(await p.exited).toEqual({ code: 7, signal: null });
    expect(await out).toBe('ready\ntrapped\n');
    expect(groupAlive(p.pgid as number)).toBe(true); // the watcher is still there...
    p.signal('SIGKILL'); // ...until the worker ends the group
    expect(await until(() => !groupAlive(p.pgid as number), 2000)).toBe(true);
  });

  it('the shell ending on SIGTERM leaves its children their grace: the lifeline stays open while the worker lives', async () => {
    // The leader dies at once; the child traps SIGTERM and takes 1 s to save, far past the 200 ms lost-worker grace.
    const p = start("(trap 'sleep 1; echo saved >&2; exit 0' TERM; echo ready; while :; do sleep 0.05; done) & wait", 200);
    const err = collect(p.stderr);
    void collect(p.stdout);
    await new Promise<void>((res) => p.stdout.once('data', () => res()));
    p.signal('SIGTERM');
    expect(await p.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await err).toMatch(/saved\n$/); // after the shell's own notes ("Terminated")
    p.signal('SIGKILL');
  });

  it('a SIGKILL to the group ends the run as killed by SIGKILL', async () => {
    const p = start('echo ready; sleep 30');
    void collect(p.stderr);
    await new Promise<void>((res) => p.stdout.once('data', () => res()));
    void collect(p.stdout);
    p.signal('SIGKILL');
    expect(await p.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('when the pipe from the worker closes (the worker died), the whole group is killed, one that ignores SIGTERM after the grace', async () => {
    const p = start('trap "" TERM; sleep 30 & echo "$$ $!"; wait', 300);
    const out = collect(p.stdout);
    void collect(p.stderr);
    const first = await new Promise<string>((res) => p.stdout.once('data', (d: string) => res(d)));
    const [shell, bg] = first.trim().split(' ').map(Number);
    expect(running(shell) && running(bg)).toBe(true);
    const t0 = Date.now();
    (p.child.stdio[3] as Writable).destroy(); // what the kernel does to the pipe when the worker is SIGKILLed
    expect(await until(() => !running(shell) && !running(bg) && !running(p.pgid as number), 2000)).toBe(true);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(250); // the shell ignored SIGTERM: the SIGKILL after the grace ended it
    expect(took).toBeLessThan(1500);
    await out;
  });

  it('a command that cannot start is exit code 127, as from the shell', async () => {
    const p = startTaskProcess('true', '/nonexistent-dir-for-the-test', ENV, 200);
    void collect(p.stdout);
    void collect(p.stderr);
    expect((await p.exited).code).toBe(127);
    p.signal('SIGKILL');
  });
});
