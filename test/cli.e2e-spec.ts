import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliProcess, cliEnv, runCli } from './support/cli-process';
import { Master, TestCluster } from './support/cluster';
import { freePort, waitFor } from './support/wait';

/**
 * The `crawlnest` CLI as a user runs it: a real process (bin/crawlnest.js) against a real
 * master and worker, with its own HOME so the profile it writes is the test's.
 */
describe('crawlnest CLI', () => {
  const cluster = new TestCluster('cli');
  let master: Master;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let project: string;

  const put = (rel: string, text: string): void => {
    mkdirSync(dirname(join(project, rel)), { recursive: true });
    writeFileSync(join(project, rel), text);
  };

  beforeAll(async () => {
    master = await cluster.startMaster();
    await cluster.startWorker({ masters: [master], name: 'cli-w1' });
    await cluster.waitNodeReady(master.api, 'cli-w1');
    home = mkdtempSync(join(tmpdir(), 'cn-cli-home-'));
    env = cliEnv(home);
    project = join(home, 'quotes');
    // A nested project with ignore rules at two levels.
    put('run.sh', 'echo "deep says: $(cat pkg/a/b/deep.txt)"\necho "to stderr" >&2\n');
    put('pkg/a/b/deep.txt', 'hello from the bottom');
    put('pkg/mod.py', 'print(1)');
    put('.gitignore', '*.log\nbuild/\n');
    put('.crawlnestignore', 'secret.txt\n');
    put('secret.txt', 'do not upload');
    put('app.log', 'noise');
    put('build/out.bin', 'artifact');
    put('.git/HEAD', 'ref: refs/heads/main');
    put('pkg/.gitignore', 'local/\n');
    put('pkg/local/cache.db', 'local only');
    put('other/local/kept.txt', 'kept: the pkg rule does not apply here');
  });

  afterAll(async () => {
    await cluster.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('login checks the token, saves the profile with mode 0600 under $HOME, and later commands use it', async () => {
    const bad = await runCli(['login', '--url', `http://127.0.0.1:${master.httpPort}`, '--token', 'not-the-token-at-all'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/401/);
    expect(bad.stderr).toMatch(/token/);

    const ok = await runCli(['login', '--url', `http://127.0.0.1:${master.httpPort}`, '--token', cluster.apiToken], env);
    expect(ok.code).toBe(0);
    const path = join(home, '.config/crawlnest/config.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ url: `http://127.0.0.1:${master.httpPort}`, token: cluster.apiToken });

    const ls = await runCli(['nodes', 'ls', '--json'], env);
    expect(ls.code).toBe(0);
    expect((JSON.parse(ls.stdout) as { name: string }[]).map((n) => n.name)).toContain('cli-w1');
  });

  it('XDG_CONFIG_HOME moves the profile; CRAWLNEST_TOKEN overrides a saved token', async () => {
    const xdg = join(home, 'xdg');
    const r = await runCli(['login', '--no-verify', '--url', `http://127.0.0.1:${master.httpPort}`, '--token', 'stale-token-0123456789'], { ...env, XDG_CONFIG_HOME: xdg });
    expect(r.code).toBe(0);
    expect(statSync(join(xdg, 'crawlnest/config.json')).mode & 0o777).toBe(0o600);
    const refused = await runCli(['spiders', 'ls'], { ...env, XDG_CONFIG_HOME: xdg });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/401 .*token from .*config\.json was refused/);
    const overridden = await runCli(['spiders', 'ls', '--json'], { ...env, XDG_CONFIG_HOME: xdg, CRAWLNEST_TOKEN: cluster.apiToken });
    expect(overridden.code).toBe(0);
  });

  it('deploy uploads a nested folder honouring .gitignore, .crawlnestignore and nested rules, then a new version', async () => {
    const r = await runCli(['deploy', project, '--name', 'quotes', '--cmd', 'sh run.sh'], env);
    expect(r.stderr).toMatch(/upload: .* in .* s \(.*\/s\)/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/deployed quotes \([0-9a-f]{24}\): version 1, 7 files/);
    const spider = (await master.api.get('/api/spiders')).body.find((s: { name: string }) => s.name === 'quotes');
    const files = (await master.api.get(`/api/spiders/${spider.id}/files`)).body.files.map((f: { path: string }) => f.path).sort();
    expect(files).toEqual(['.crawlnestignore', '.gitignore', 'other/local/kept.txt', 'pkg/.gitignore', 'pkg/a/b/deep.txt', 'pkg/mod.py', 'run.sh']);

    put('pkg/a/b/deep.txt', 'hello from the bottom, v2');
    const again = await runCli(['deploy', project, '--name', 'quotes', '--json'], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ version: 2, fileCount: 7 });
  });

  it('run --follow streams the log and exits 0 when the task finished', async () => {
    const r = await runCli(['run', 'quotes', '--follow'], env, 90_000);
    expect(r.stdout).toContain('deep says: hello from the bottom, v2');
    expect(r.stderr).toContain('to stderr');
    expect(r.stderr).toMatch(/task [0-9a-f]{24} finished \(exit code 0\)/);
    expect(r.code).toBe(0);
  });

  it('run --follow exits 1 when the task ends in error, naming its exit code', async () => {
    const r = await runCli(['run', 'quotes', '--cmd', 'echo about to fail; exit 3', '--follow'], env, 90_000);
    expect(r.stdout).toContain('about to fail');
    expect(r.stderr).toMatch(/task [0-9a-f]{24} error \(exit code 3\)/);
    expect(r.code).toBe(1);
  });

  it('Ctrl-C while following asks whether to cancel; yes cancels the task and exits 130', async () => {
    const p = new CliProcess(['run', 'quotes', '--cmd', 'echo started; sleep 60', '--follow'], env);
    await p.waitOutput(/^started$/m, 60_000);
    p.child.kill('SIGINT');
    await p.waitOutput(/cancel task [0-9a-f]{24}\? \[y\/N\]/);
    p.child.stdin?.write('y\n');
    const r = await p.done;
    expect(r.stderr).toMatch(/task [0-9a-f]{24} cancelled/);
    expect(r.code).toBe(130);
    const id = /following task ([0-9a-f]{24})/.exec(r.stderr)?.[1];
    expect((await master.api.get(`/api/tasks/${id}`)).body.status).toBe('cancelled');
  });

  it('Ctrl-C answered no stops following, leaves the task running and exits 130', async () => {
    const p = new CliProcess(['run', 'quotes', '--cmd', 'echo started; sleep 60', '--follow'], env);
    await p.waitOutput(/^started$/m, 60_000);
    p.child.kill('SIGINT');
    await p.waitOutput(/\[y\/N\]/);
    p.child.stdin?.write('n\n');
    const r = await p.done;
    expect(r.code).toBe(130);
    const id = /following task ([0-9a-f]{24})/.exec(r.stderr)?.[1] as string;
    expect((await master.api.get(`/api/tasks/${id}`)).body.status).toBe('running');
    // A task cancelled from elsewhere: `logs -f` ends with 130 too.
    const follower = new CliProcess(['logs', id, '-f'], env);
    await follower.waitOutput(/^started$/m);
    expect((await master.api.post(`/api/tasks/${id}/cancel`)).status).toBe(201);
    expect((await follower.done).code).toBe(130);
  });

  it('an unknown spider, a bad token and usage mistakes give clear messages and exit codes', async () => {
    const unknown = await runCli(['run', 'no-such-spider'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no spider named or with id 'no-such-spider'");

    const badToken = await runCli(['spiders', 'ls'], { ...env, CRAWLNEST_TOKEN: 'wrong-token-0123456789' });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/401 Unauthorized.*CRAWLNEST_TOKEN was refused/);

    const unknownTask = await runCli(['tasks', 'show', '0123456789abcdef01234567'], env);
    expect(unknownTask.code).toBe(1);
    expect(unknownTask.stderr).toMatch(/404 .*not found/);

    const apiRefusal = await runCli(['run', 'quotes', '--priority', '11'], env);
    expect(apiRefusal.code).toBe(1);
    expect(apiRefusal.stderr).toMatch(/400 Bad Request: priority: expected 1\.\.10/);

    expect((await runCli(['run'], env)).code).toBe(2);
    expect((await runCli(['run', 'quotes', '--label', 'novalue'], env)).code).toBe(2);
    expect((await runCli(['results', 'quotes', '--format', 'xml'], env)).code).toBe(2);
    expect((await runCli(['nonsense'], env)).code).toBe(2);

    const closed = await freePort();
    const down = await runCli(['spiders', 'ls'], { ...env, CRAWLNEST_URL: `http://127.0.0.1:${closed}` });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`cannot reach the master at http://127.0.0.1:${closed}: ECONNREFUSED`);
  });

  it('--json prints exactly the API objects', async () => {
    const cli = await runCli(['spiders', 'ls', '--json'], env);
    expect(JSON.parse(cli.stdout)).toEqual((await master.api.get('/api/spiders')).body);
    const tasks = await runCli(['tasks', 'ls', '--json'], env);
    expect(JSON.parse(tasks.stdout)).toEqual((await master.api.get('/api/tasks')).body);
  });

  it('spider names are unique: a second create is refused (409), also when requests race', async () => {
    expect((await runCli(['spiders', 'create', 'dup', '--cmd', 'true'], env)).code).toBe(0);
    const second = await runCli(['spiders', 'create', 'dup', '--cmd', 'true'], env);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/409 Conflict: name: a spider named 'dup' already exists/);

    const racing = await Promise.all(Array.from({ length: 6 }, () => master.api.post('/api/spiders', { name: 'race', cmd: 'true' })));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const other = (await master.api.post('/api/spiders', { name: 'other', cmd: 'true' })).body.id;
    const rename = await master.api.patch(`/api/spiders/${other}`, { name: 'race' });
    expect(rename.status).toBe(409);
    expect(rename.body.message).toMatch(/name: a spider named 'race' already exists/);
  });

  it("the master's request log never shows a credential, whatever header or parameter it came in", async () => {
    const secret = 'odd-header-secret-0123456789';
    const logged401 = (): number => (master.proc.output().match(/"statusCode":401/g) ?? []).length;
    const before = logged401();
    for (const [name, value] of [['x-api-key', secret], ['x-crawlnest-token', `Bearer ${secret}`], ['authorization', `Bearer ${secret}`], ['proxy-authorization', `Basic ${secret}`]]) {
      const r = await fetch(`http://127.0.0.1:${master.httpPort}/api/spiders?access_token=${secret}`, { headers: { [name]: value } });
      expect(r.status).toBe(401);
    }
    // The 401s are logged (at warn): wait for the last one, then look for the secret.
    await waitFor('the 401 request lines in the master log', () => logged401() >= before + 4 || undefined, 10_000);
    expect(master.proc.output()).toContain('"x-api-key":"[redacted]"');
    expect(master.proc.output()).not.toContain(secret);
  });

  it('nodes disable/enable/label and schedules create/ls/rm work by name', async () => {
    expect((await runCli(['nodes', 'disable', 'cli-w1'], env)).code).toBe(0);
    await waitFor('node disabled', async () => (await master.api.get('/api/nodes')).body.find((n: { name: string }) => n.name === 'cli-w1')?.enabled === false || undefined);
    expect((await runCli(['nodes', 'enable', 'cli-w1'], env)).code).toBe(0);
    const lab = await runCli(['nodes', 'label', 'cli-w1', 'zone=a', 'topology.tier=gold', '--json'], env);
    expect(lab.code).toBe(0);
    expect(JSON.parse(lab.stdout).labels).toMatchObject({ zone: 'a', 'topology.tier': 'gold' });

    const created = await runCli(['schedules', 'create', 'quotes', '--cron', '0 0 1 1 *', '--disabled', '--json'], env);
    expect(created.code).toBe(0);
    const id = JSON.parse(created.stdout).id as string;
    const ls = (await runCli(['schedules', 'ls'], env)).stdout;
    expect(ls).toContain(id);
    // The spider by name, as `tasks ls` prints it, not by id.
    const row = ls.split('\n').find((l) => l.includes(id)) as string;
    expect(row).toMatch(/\bquotes\b/);
    expect(row).not.toContain(JSON.parse(created.stdout).spiderId);
    const started = await runCli(['run', 'quotes', '--cmd', 'true'], env);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/\bquotes\b/);
    expect(started.stdout).not.toContain(JSON.parse(created.stdout).spiderId);
    const badCron = await runCli(['schedules', 'create', 'quotes', '--cron', 'not a cron'], env);
    expect(badCron.code).toBe(1);
    expect(badCron.stderr).toMatch(/400 .*cron/);
    expect((await runCli(['schedules', 'rm', id], env)).code).toBe(0);
    expect((await master.api.get(`/api/schedules/${id}`)).status).toBe(404);
  });
});
