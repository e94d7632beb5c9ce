import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './support/ferretdb-server';
import { freePort, waitFor } from './support/wait';

/** pid → [parent pid, command line] of every process, from /proc. */
function processTable(): Map<number, { ppid: number; cmd: string }> {
  const table = new Map<number, { ppid: number; cmd: string }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      table.set(Number(d), { ppid, cmd: readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() });
    } catch {
      // The process ended while we read the table: it is not a descendant any more.
      continue;
    }
  }
  return table;
}

function descendants(root: number): { pid: number; cmd: string }[] {
  const table = processTable();
  const out: { pid: number; cmd: string }[] = [];
  const walk = (pid: number): void => {
    for (const [p, info] of table) if (info.ppid === pid) (out.push({ pid: p, cmd: info.cmd }), walk(p));
  };
  walk(root);
  return out;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `npm run dev` as a user starts it, on its own ports and data dir. */
class DevRun {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output = '';

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn('npm', ['run', 'dev'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((res) => this.child.once('exit', (code) => res(code)));
  }

  async ready(): Promise<{ pid: number; cmd: string }[]> {
    await waitFor('dev mode: master ready and worker online', () => {
      if (this.child.exitCode !== null) throw new Error(`npm run dev exited:\n${this.output}`);
      return /"msg":"node online"/.test(this.output) || undefined;
    }, 180_000, 100);
    return descendants(this.child.pid as number);
  }
}

describe('npm run dev', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let run: DevRun | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cn-dev-'));
    const base: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CRAWLNEST_') && !k.startsWith('npm_')) base[k] = v;
    env = {
      ...base,
      CRAWLNEST_DATA_DIR: join(dir, 'data'),
      CRAWLNEST_HTTP_HOST: '127.0.0.1',
      CRAWLNEST_HTTP_PORT: String(await freePort()),
      CRAWLNEST_GRPC_HOST: '127.0.0.1',
      CRAWLNEST_GRPC_PORT: String(await freePort()),
      CRAWLNEST_LOG_FORMAT: 'json',
      CRAWLNEST_DRAIN_MS: '2000',
    };
  });

  afterEach(() => {
    // A failed test must not leave its tree behind: kill exactly what this run started.
    if (run?.child.pid) for (const p of descendants(run.child.pid)) if (alive(p.pid)) process.kill(p.pid, 'SIGKILL');
    run?.child.kill('SIGKILL');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SIGTERM to the npm process stops worker, master and the embedded FerretDB, logging nothing at warn or error', async () => {
    run = new DevRun(env);
    const procs = await run.ready();
    const names = procs.map((p) => p.cmd).join('\n');
    expect(names).toMatch(/master\/src\/main\.js/);
    expect(names).toMatch(/worker\/src\/main\.js/);
    expect(names).toMatch(/ferretdb/);
    // A fresh data dir: `admin` with a random password, shown once in the banner and kept 0600.
    const shown = /Sign in: +admin \/ (\S+) +\(shown once/.exec(run.output)?.[1];
    const file = join(env.CRAWLNEST_DATA_DIR as string, 'admin-password');
    expect(shown).toBeDefined();
    expect(readFileSync(file, 'utf8').trim()).toBe(shown);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const login = await fetch(`http://127.0.0.1:${env.CRAWLNEST_HTTP_PORT}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: shown }) });
    expect(login.status).toBe(201);
    run.child.kill('SIGTERM');
    expect(await run.exited).not.toBeNull();
    await waitFor('every process of the dev run gone', () => procs.every((p) => !alive(p.pid)) || undefined, 30_000, 100);
    expect(run.output).toContain('dev: SIGTERM received, stopping worker and master');
    expect(run.output).toContain('"msg":"master stopped"');
    const loud = run.output.split('\n').filter((l) => /"level":"(warn|error|fatal)"/.test(l));
    expect(loud).toEqual([]);
  });

  it('a worker that dies is named with its signal, and the rest is stopped', async () => {
    run = new DevRun(env);
    const procs = await run.ready();
    const worker = procs.find((p) => /worker\/src\/main\.js/.test(p.cmd));
    process.kill(worker!.pid, 'SIGKILL');
    await run.exited;
    expect(run.output).toContain('dev: the worker exited on its own (signal KILL)');
    await waitFor('every process of the dev run gone', () => procs.every((p) => !alive(p.pid)) || undefined, 30_000, 100);
  });
});
