import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';

/** A real Crawlnest process started by a test, with its output kept in a log file. */
export class TestProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    script: string,
    env: NodeJS.ProcessEnv,
    readonly logFile: string,
  ) {
    const out = createWriteStream(logFile, { flags: 'a' });
    this.child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.pipe(out);
    this.child.stderr?.pipe(out);
    this.exited = new Promise((res) => this.child.once('exit', (code, signal) => res({ code, signal })));
    live.add(this);
    void this.exited.then(() => live.delete(this));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }
}

/** Every process a test started and that has not exited; killed if a suite forgets one. */
const live = new Set<TestProcess>();

process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

/**
 * Stops (SIGTERM, then SIGKILL) every process this test file started that is still
 * running: one a suite lost track of (a start that failed half-way, a forgotten stop)
 * would otherwise keep jest from exiting after the run.
 */
export async function stopLeftovers(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop(5000)));
}

/** Whether a process id is still alive (signal 0 probes without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
