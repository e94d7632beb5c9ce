import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from './ferretdb-server';
import { waitFor } from './wait';

export const CLI_BIN = join(PROJECT_ROOT, 'bin/crawlnest.js');

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** The environment a CLI run sees: no CRAWLNEST_* from the parent, its own HOME. */
export function cliEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CRAWLNEST_') && k !== 'XDG_CONFIG_HOME') env[k] = v;
  return { ...env, HOME: home, ...extra };
}

/** `crawlnest …` as a real process (bin/crawlnest.js → dist/apps/cli), run to its end. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliResult> {
  const p = new CliProcess(args, env);
  const t = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  return p.done.finally(() => clearTimeout(t));
}

/** A CLI process a test talks to while it runs (signals, answers on stdin). */
export class CliProcess {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
  stdout = '';
  stderr = '';

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [CLI_BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.done = new Promise((res) => this.child.once('close', (code) => res({ code, stdout: this.stdout, stderr: this.stderr })));
  }

  waitOutput(what: RegExp, timeoutMs = 60_000): Promise<true> {
    return waitFor(`CLI output ${what}`, () => {
      if (this.child.exitCode !== null) throw new Error(`CLI exited ${this.child.exitCode}:\n${this.stdout}\n${this.stderr}`);
      return what.test(this.stdout + this.stderr) || undefined;
    }, timeoutMs, 50);
  }
}
