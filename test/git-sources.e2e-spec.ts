import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'mongoose';
import { Master, TestCluster } from './support/cluster';
import { git, gitDaemon, gitHttpServer, commitAndPush } from './support/git-servers';
import { cliEnv, runCli } from './support/cli-process';
import { waitFor } from './support/wait';

const WEBHOOK_SECRET = 'webhook-secret-e2e';
const TOKEN = 'tok-e2e-secret-0123456789';

describe('spiders from git: pull, webhooks, force-push, deleted branch, credentials', () => {
  const cluster = new TestCluster('git-sources');
  let m: Master;
  let daemon: { port: number; stop: () => Promise<void> };
  let http: Awaited<ReturnType<typeof gitHttpServer>>;
  let bareRoot: string;
  let work: string;
  let repoUrl: string;
  const ids: Record<string, string> = {};

  const commit = (files: Record<string, string>, message: string): string => commitAndPush(work, files, message);

  async function spider(name: string): Promise<string> {
    const r = await m.api.post('/api/spiders', { name, cmd: 'python3 main.py' });
    expect(r.status).toBe(201);
    return r.body.id;
  }

  const pull = (id: string) => m.api.post(`/api/spiders/${id}/git/pull`);
  const version = async (id: string) => (await m.api.get(`/api/spiders/${id}`)).body.version as number;

  function webhook(body: object, signature: string) {
    const text = JSON.stringify(body);
    return fetch(`${m.api.baseUrl}/api/git/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': signature },
      body: text,
    });
  }
  const sign = (body: object) => `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(JSON.stringify(body)).digest('hex')}`;

  beforeAll(async () => {
    bareRoot = join(cluster.dir, 'repos');
    mkdirSync(bareRoot, { recursive: true });
    git(bareRoot, 'init', '-q', '--bare', '--initial-branch=main', 'shop.git');
    work = join(cluster.dir, 'work');
    git(cluster.dir, 'clone', '-q', join(bareRoot, 'shop.git'), 'work');
    git(work, 'checkout', '-q', '-b', 'main');
    commit({ 'spiders/a/main.py': 'print("a v1")\n', 'spiders/b/main.py': 'print("b v1")\n', 'README.md': 'shop\n' }, 'first: spiders a and b');
    daemon = await gitDaemon(bareRoot);
    http = await gitHttpServer(bareRoot, TOKEN);
    repoUrl = `git://127.0.0.1:${daemon.port}/shop.git`;
    m = await cluster.startMaster({ CRAWLNEST_GIT_WEBHOOK_SECRET: WEBHOOK_SECRET, CRAWLNEST_GIT_AUTOPULL_TICK_MS: '300' });
    ids.a = await spider('git-a');
    ids.b = await spider('git-b');
  });
  afterAll(async () => {
    await cluster.stop();
    await daemon?.stop();
    http?.server.closeAllConnections();
    await new Promise<void>((r) => (http ? http.server.close(() => r()) : r()));
  });

  it('two spiders in subdirectories of one repository: the first pull makes a version of each with its own files and the commit', async () => {
    for (const [k, path] of [['a', 'spiders/a'], ['b', 'spiders/b']]) {
      const set = await m.api.put(`/api/spiders/${ids[k]}/git`, JSON.stringify({ url: repoUrl, ref: 'main', path }), 'application/json');
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ url: repoUrl, ref: 'main', path, hasCredential: false });
    }
    const head = git(work, 'rev-parse', 'HEAD');
    expect((await pull(ids.a)).body).toEqual({ changed: true, version: 1, commit: head });
    expect((await pull(ids.b)).body).toEqual({ changed: true, version: 1, commit: head });
    expect((await m.api.get(`/api/spiders/${ids.a}/files`)).body.files.map((f: { path: string }) => f.path)).toEqual(['main.py']);
    expect((await m.api.get(`/api/spiders/${ids.a}/files/main.py`)).text).toBe('print("a v1")\n');
    const versions = (await m.api.get(`/api/spiders/${ids.a}/git/versions`)).body;
    expect(versions[0]).toMatchObject({ version: 1, git: { commit: head, author: 'Ada Tester <ada@example.com>', message: 'first: spiders a and b', ref: 'main' } });
    // The ordinary versions list carries the commit too, and a task shows the commit of the version it runs.
    expect((await m.api.get(`/api/spiders/${ids.a}/versions`)).body[0]).toMatchObject({ version: 1, git: { commit: head, author: 'Ada Tester <ada@example.com>', message: 'first: spiders a and b', ref: 'main' } });
    const task = (await m.api.post('/api/tasks', { spiderId: ids.a })).body.tasks[0];
    expect((await m.api.get(`/api/tasks/${task.id}`)).body).toMatchObject({ spiderVersion: 1, git: { commit: head, message: 'first: spiders a and b' } });
    await m.api.post(`/api/tasks/${task.id}/cancel`);
    const uploaded = await spider('git-none');
    await m.api.putFiles(`/api/spiders/${uploaded}/files`, { 'main.py': 'print(0)\n' });
    expect((await m.api.get(`/api/spiders/${uploaded}/versions`)).body[0]).toMatchObject({ version: 1, git: null });
  });

  it('a pull without changes makes no version; after a push only the spider whose path changed gets one', async () => {
    expect((await pull(ids.a)).body).toMatchObject({ changed: false, version: 1 });
    const head = commit({ 'spiders/b/main.py': 'print("b v2")\n', 'README.md': 'shop 2\n' }, 'b: v2');
    expect((await pull(ids.a)).body).toEqual({ changed: false, version: 1, commit: head });
    expect((await pull(ids.b)).body).toEqual({ changed: true, version: 2, commit: head });
    expect((await m.api.get(`/api/spiders/${ids.b}/files/main.py`)).text).toBe('print("b v2")\n');
  });

  it('a push webhook with a bad signature is refused and pulls nothing; a good one pulls the matching spiders', async () => {
    const head = commit({ 'spiders/a/main.py': 'print("a v2")\n' }, 'a: v2');
    const event = { ref: 'refs/heads/main', after: head, repository: { clone_url: repoUrl, html_url: `http://127.0.0.1:${daemon.port}/shop` } };
    const bad = await webhook(event, `sha256=${'0'.repeat(64)}`);
    expect(bad.status).toBe(401);
    expect(await version(ids.a)).toBe(1);
    const other = await webhook({ ...event, ref: 'refs/heads/other' }, sign({ ...event, ref: 'refs/heads/other' }));
    expect(await other.json()).toMatchObject({ event: 'push', pulled: [] });
    const good = await webhook(event, sign(event));
    expect(good.status).toBe(200);
    const body = await good.json();
    expect(body.pulled).toEqual(expect.arrayContaining([{ spiderId: ids.a, changed: true, version: 2, commit: head }, { spiderId: ids.b, changed: false, version: 2, commit: head }]));
    expect(body.pulled).toHaveLength(2);
  });

  it('a force-push back to an older commit makes a new version with the older tree', async () => {
    const first = git(work, 'rev-list', '--max-parents=0', 'HEAD');
    git(work, 'reset', '-q', '--hard', first);
    git(work, 'push', '-q', '--force', 'origin', 'HEAD:main');
    expect((await pull(ids.a)).body).toEqual({ changed: true, version: 3, commit: first });
    expect((await m.api.get(`/api/spiders/${ids.a}/files/main.py`)).text).toBe('print("a v1")\n');
    const versions = (await m.api.get(`/api/spiders/${ids.a}/git/versions`)).body;
    expect(versions.map((v: { version: number; git: { commit: string } }) => [v.version, v.git.commit])).toEqual([[3, first], [2, expect.any(String)], [1, first]]);
  });

  it('a deleted branch is a clear error and the spider keeps its version', async () => {
    git(work, 'push', '-q', 'origin', 'HEAD:refs/heads/feature');
    const c = await spider('git-feature');
    await m.api.put(`/api/spiders/${c}/git`, JSON.stringify({ url: repoUrl, ref: 'feature', path: 'spiders/a' }), 'application/json');
    expect((await pull(c)).body).toMatchObject({ changed: true, version: 1 });
    git(work, 'push', '-q', 'origin', ':refs/heads/feature');
    const r = await pull(c);
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(`ref 'feature' not found in ${repoUrl} (a deleted branch?); the spider keeps its current version`);
    expect(await version(c)).toBe(1);
    expect((await m.api.get(`/api/spiders/${c}/git`)).body.lastError).toContain("ref 'feature' not found");
  });

  it('https-style with a token: a wrong token is a clear error naming the URL without the secret; the right one pulls; the token is never returned or stored in clear', async () => {
    const url = `http://127.0.0.1:${http.port}/shop.git`;
    const c = await spider('git-http');
    const wrong = 'wrong-token-98765';
    await m.api.put(`/api/spiders/${c}/git`, JSON.stringify({ url, ref: 'main', path: 'spiders/b', token: wrong }), 'application/json');
    const r = await pull(c);
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(`git fetch of ${url} failed: authentication refused (wrong or missing credential)`);
    expect(r.text).not.toContain(wrong);
    // A token written into the URL is moved to the credential store.
    const set = await m.api.put(`/api/spiders/${c}/git`, JSON.stringify({ url: `http://bot:${TOKEN}@127.0.0.1:${http.port}/shop.git`, ref: 'main', path: 'spiders/b' }), 'application/json');
    expect(set.body).toMatchObject({ url, username: 'bot', hasCredential: true });
    expect(set.text).not.toContain(TOKEN);
    expect((await pull(c)).body).toMatchObject({ changed: true, version: 1 });
    expect((await m.api.get(`/api/spiders/${c}/git`)).text).not.toContain(TOKEN);
    expect(m.proc.output()).not.toContain(TOKEN);
    expect(m.proc.output()).not.toContain(wrong);
    const conn = await createConnection(cluster.mongoUri, { dbName: cluster.dbName }).asPromise();
    try {
      const docs = await conn.db!.collection('git_sources').find({}).toArray();
      expect(JSON.stringify(docs)).not.toContain(TOKEN);
      expect(docs.find((d) => d._id === (c as unknown))?.credential).toEqual(expect.stringMatching(/^v1\.[^.]+\.[^.]+\.[^.]+$/));
      // A credential stored before the AES-GCM helpers were merged ({v, iv, tag, data}, the same key) still opens.
      const key = createHash('sha256').update(`derived-from-cluster-secret:${cluster.clusterSecret}`).digest();
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(TOKEN, 'utf8'), cipher.final()]);
      const legacy = { v: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
      await conn.db!.collection('git_sources').updateOne({ _id: c as unknown as never }, { $set: { credential: legacy, lastTree: null } });
      await m.api.putFiles(`/api/spiders/${c}/files`, { 'other.py': 'x = 1\n' });
      expect((await pull(c)).body).toMatchObject({ changed: true, version: 3 });
    } finally {
      await conn.close();
    }
  });

  it('file:// sources pull too, and auto-pull picks up a push on its own', async () => {
    const c = await spider('git-file');
    await m.api.put(`/api/spiders/${c}/git`, JSON.stringify({ url: `file://${join(bareRoot, 'shop.git')}`, ref: 'main', path: 'spiders/a', autoPullSec: 10 }), 'application/json');
    const v1 = await waitFor('auto-pull makes the first version', async () => ((await version(c)) >= 1 ? await version(c) : undefined), 30_000, 200);
    commit({ 'spiders/a/main.py': 'print("a v3")\n' }, 'a: v3');
    await waitFor('auto-pull takes the push', async () => ((await version(c)) > v1 ? true : undefined), 30_000, 300);
    expect((await m.api.get(`/api/spiders/${c}/files/main.py`)).text).toBe('print("a v3")\n');
    expect((await m.api.put(`/api/spiders/${c}/git`, JSON.stringify({ url: 'ftp://x/y', ref: 'main' }), 'application/json')).status).toBe(400);
    expect((await m.api.put(`/api/spiders/${c}/git`, JSON.stringify({ url: repoUrl, ref: '--upload-pack=x' }), 'application/json')).status).toBe(400);
  }, 90_000);

  it('the CLI: crawlnest git set SPIDER URL --ref --path --token-env, then crawlnest git pull SPIDER', async () => {
    const home = join(cluster.dir, 'cli-home');
    mkdirSync(home, { recursive: true });
    const env = cliEnv(home, { CRAWLNEST_URL: m.api.baseUrl, CRAWLNEST_TOKEN: cluster.apiToken, GIT_TOKEN: TOKEN });
    await spider('git-cli');
    const url = `http://127.0.0.1:${http.port}/shop.git`;
    const set = await runCli(['git', 'set', 'git-cli', url, '--ref', 'main', '--path', 'spiders/b', '--token-env', 'GIT_TOKEN', '--json'], env);
    expect({ code: set.code, stderr: set.stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(set.stdout)).toMatchObject({ url, ref: 'main', path: 'spiders/b', hasCredential: true });
    const first = await runCli(['git', 'pull', 'git-cli'], env);
    expect({ code: first.code, out: first.stdout + first.stderr }).toEqual({ code: 0, out: expect.stringMatching(/git-cli: version 1 from [0-9a-f]{12}/) });
    const again = await runCli(['git', 'pull', 'git-cli', '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: false, version: 1 });
    const unknown = await runCli(['git', 'pull', 'no-such-spider'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no spider named or with id 'no-such-spider'");
  });
});
