import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cliEnv, runCli } from './support/cli-process';
import { Master, TestCluster } from './support/cluster';
import { taskEnded, taskOutput } from './support/spider-tree';

const LIMIT = 65_536;

/**
 * Issue 20 from the CLI: `versions` commands; `deploy DIR` sends DIR as the root (a lone
 * folder in it stays a folder); an upload over the master's limit is refused before anything
 * is created; a first upload the master refuses leaves no empty spider behind.
 */
describe('crawlnest versions and deploy safety', () => {
  const cluster = new TestCluster('cli-versions');
  let master: Master;
  let home: string;
  let env: NodeJS.ProcessEnv;

  const project = (name: string, files: Record<string, string | Buffer>): string => {
    const root = join(home, name);
    for (const [rel, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), content);
    }
    return root;
  };
  const spiderNames = async () => ((await master.api.get('/api/spiders')).body as { name: string }[]).map((s) => s.name);
  const cli = (args: string[]) => runCli(args, env);

  beforeAll(async () => {
    master = await cluster.startMaster({ CRAWLNEST_MAX_UPLOAD_BYTES: String(LIMIT) });
    await cluster.startWorker({ masters: [master], name: 'cli-v-w1' });
    await cluster.waitNodeReady(master.api, 'cli-v-w1');
    home = mkdtempSync(join(tmpdir(), 'cn-cli-versions-'));
    env = cliEnv(home, { CRAWLNEST_URL: `http://127.0.0.1:${master.httpPort}`, CRAWLNEST_TOKEN: cluster.apiToken });
  });

  afterAll(async () => {
    await cluster.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('deploy DIR keeps a lone top-level folder: the command that names it runs', async () => {
    const dir = project('onlydir', { 'app/main.sh': 'echo "main ran from $(basename "$(dirname "$0")")"\n' });
    const r = await cli(['deploy', dir, '--cmd', 'sh app/main.sh']);
    expect(r.stderr + r.stdout).toMatch(/deployed onlydir/);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/dropped/);
    const id = ((await master.api.get('/api/spiders')).body as { id: string; name: string }[]).find((s) => s.name === 'onlydir')?.id;
    const files = (await master.api.get(`/api/spiders/${id}/files`)).body.files.map((f: { path: string }) => f.path);
    expect(files).toEqual(['app/main.sh']);
    const t = (await master.api.post('/api/tasks', { spiderId: id })).body.tasks[0];
    const ended = await taskEnded(master.api, t.id);
    expect(ended).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(await taskOutput(master.api, t.id)).toEqual(['main ran from app']);
  });

  it('refuses a deploy that packs over the limit before creating anything, naming the setting and .crawlnestignore', async () => {
    const dir = project('huge', { 'data.bin': randomBytes(200_000), 'run.sh': 'echo hi\n' });
    const r = await cli(['deploy', dir, '--cmd', 'sh run.sh']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('CRAWLNEST_MAX_UPLOAD_BYTES');
    expect(r.stderr).toContain('.crawlnestignore');
    expect(r.stderr).not.toMatch(/created spider/);
    expect(await spiderNames()).not.toContain('huge');
  });

  it('measures the packed size, not the raw size: compressible content over the limit raw still deploys', async () => {
    const dir = project('zeros', { 'zeros.bin': Buffer.alloc(200_000), 'run.sh': 'echo hi\n' });
    const r = await cli(['deploy', dir, '--cmd', 'sh run.sh']);
    expect(r.stderr + r.stdout).toMatch(/version 1, 2 files/);
    expect(r.code).toBe(0);
  });

  it('a first upload the master refuses leaves no spider behind, and says so', async () => {
    const dir = project('refused', { 'run.sh': 'echo hi\n', 'bad\\name.txt': 'a backslash the master refuses\n' });
    const r = await cli(['deploy', dir, '--cmd', 'sh run.sh']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/400/);
    expect(r.stderr).toMatch(/created spider refused/);
    expect(r.stderr).toMatch(/removed spider refused .* again/);
    expect(await spiderNames()).not.toContain('refused');
  });

  it('versions ls / show / diff / restore, and an unchanged deploy is no version', async () => {
    const dir = project('multi', { 'run.sh': 'echo one\n', 'keep.txt': 'keep\n' });
    expect((await cli(['deploy', dir, '--cmd', 'sh run.sh'])).code).toBe(0);
    writeFileSync(join(dir, 'run.sh'), 'echo two\n');
    writeFileSync(join(dir, 'new.txt'), 'new\n');
    expect((await cli(['deploy', dir])).code).toBe(0);
    const same = await cli(['deploy', dir]);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/unchanged, still version 2/);

    const ls = await cli(['versions', 'ls', 'multi']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/│\s*2\s*│.*current/);
    const lsJson = JSON.parse((await cli(['versions', 'ls', 'multi', '--json'])).stdout);
    expect(lsJson.map((v: { version: number }) => v.version)).toEqual([2, 1]);

    const show = await cli(['versions', 'show', 'multi', '1']);
    expect(show.stdout).toContain('keep.txt');
    expect(show.stdout).not.toContain('new.txt');
    expect((await cli(['versions', 'show', 'multi', '1', 'run.sh'])).stdout).toBe('echo one\n');
    const showJson = JSON.parse((await cli(['versions', 'show', 'multi', '2', '--json'])).stdout);
    expect(showJson.map((f: { path: string }) => f.path)).toEqual(['keep.txt', 'new.txt', 'run.sh']);

    const diff = await cli(['versions', 'diff', 'multi', '1', '2']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(/added\s+new\.txt/);
    expect(diff.stdout).toMatch(/changed\s+run\.sh/);
    expect(diff.stdout).toContain('-echo one');
    expect(diff.stdout).toContain('+echo two');

    const restore = await cli(['versions', 'restore', 'multi', '1']);
    expect(restore.stdout).toMatch(/restored version 1 as version 3/);
    expect((await cli(['versions', 'show', 'multi', '3', 'run.sh'])).stdout).toBe('echo one\n');
    const again = JSON.parse((await cli(['versions', 'restore', 'multi', '3', '--json'])).stdout);
    expect(again).toEqual({ version: 3, unchanged: true });

    const missing = await cli(['versions', 'show', 'multi', '42']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404/);
    expect((await cli(['versions', 'show', 'multi', 'x'])).code).toBe(2);
  });
});
