import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, DevRun } from './support/dev-run';
import { freePort, waitFor } from './support/wait';

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
    run?.killTree();
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
