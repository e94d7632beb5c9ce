import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'mongoose';
import { Master, TestCluster } from './support/cluster';
import { git, SSHD, sshGitServer, sshKeyPair, commitAndPush } from './support/git-servers';

/**
 * Spiders from git over ssh against a real sshd on 127.0.0.1 (its own host key, an
 * authorized key restricted to git-shell): deploy key, host key pinned on first use, a
 * changed host key refused (docs/git.md).
 */
describe('spiders from git over ssh: deploy key, host key pinning', () => {
  const cluster = new TestCluster('git-ssh');
  let m: Master;
  let sshd: Awaited<ReturnType<typeof sshGitServer>>;
  let sshdDir: string;
  let work: string;
  let url: string;
  let deploy: ReturnType<typeof sshKeyPair>;
  let spiderId: string;

  const commit = (files: Record<string, string>, message: string): string => commitAndPush(work, files, message);

  const pull = () => m.api.post(`/api/spiders/${spiderId}/git/pull`);
  const setSource = (body: object) => m.api.put(`/api/spiders/${spiderId}/git`, JSON.stringify(body), 'application/json');

  beforeAll(async () => {
    if (!existsSync(SSHD)) throw new Error(`${SSHD} missing: apt-get install -y openssh-server`);
    const bare = join(cluster.dir, 'repos');
    mkdirSync(bare, { recursive: true });
    git(bare, 'init', '-q', '--bare', '--initial-branch=main', 'shop.git');
    work = join(cluster.dir, 'work');
    git(cluster.dir, 'clone', '-q', join(bare, 'shop.git'), 'work');
    git(work, 'checkout', '-q', '-b', 'main');
    commit({ 'spider/main.py': 'print("v1")\n' }, 'first');
    deploy = sshKeyPair(join(cluster.dir, 'deploy_key'));
    sshdDir = join(cluster.dir, 'sshd');
    sshd = await sshGitServer(sshdDir, deploy.publicKey);
    url = `ssh://${sshd.user}@127.0.0.1:${sshd.port}${join(bare, 'shop.git')}`;
    m = await cluster.startMaster();
    spiderId = (await m.api.post('/api/spiders', { name: 'ssh-spider', cmd: 'python3 main.py' })).body.id;
  });
  afterAll(async () => {
    await cluster.stop();
    await sshd?.stop();
  });

  it('a deploy key pulls; the host key is pinned on first use and its fingerprint shown; the key is never returned, logged or stored in clear', async () => {
    const set = await setSource({ url, ref: 'main', path: 'spider', sshKey: deploy.privateKey });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ url, hasCredential: true, hostKeyFingerprint: null });
    const head = git(work, 'rev-parse', 'HEAD');
    expect((await pull()).body).toEqual({ changed: true, version: 1, commit: head });
    expect((await m.api.get(`/api/spiders/${spiderId}/files/main.py`)).text).toBe('print("v1")\n');
    const shown = await m.api.get(`/api/spiders/${spiderId}/git`);
    expect(shown.body.hostKeyFingerprint).toBe(`ssh-ed25519 ${sshd.hostKeyFingerprint}`);
    const keyBody = deploy.privateKey.split('\n')[1];
    expect(shown.text).not.toContain(keyBody);
    expect(set.text).not.toContain(keyBody);
    // Pinned: the next pulls check the key against it.
    const next = commit({ 'spider/main.py': 'print("v2")\n' }, 'second');
    expect((await pull()).body).toEqual({ changed: true, version: 2, commit: next });
    expect(m.proc.output()).not.toContain(keyBody);
    const conn = await createConnection(cluster.mongoUri, { dbName: cluster.dbName }).asPromise();
    try {
      const doc = await conn.db!.collection('git_sources').findOne({ _id: spiderId as unknown as never });
      expect(JSON.stringify(doc)).not.toContain(keyBody);
      expect(doc?.credential).toEqual(expect.stringMatching(/^v1\./));
    } finally {
      await conn.close();
    }
  });

  it('a wrong deploy key, a token on an ssh URL and a malformed key are clear errors', async () => {
    const other = (await m.api.post('/api/spiders', { name: 'ssh-wrong', cmd: 'true' })).body.id;
    const wrong = sshKeyPair(join(cluster.dir, 'wrong_key'));
    await m.api.put(`/api/spiders/${other}/git`, JSON.stringify({ url, ref: 'main', sshKey: wrong.privateKey }), 'application/json');
    const r = await m.api.post(`/api/spiders/${other}/git/pull`);
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(`git fetch of ${url} failed: authentication refused (wrong or missing deploy key)`);
    expect((await m.api.put(`/api/spiders/${other}/git`, JSON.stringify({ url, token: 'x' }), 'application/json')).body.message).toMatch(/^token: an ssh URL authenticates with sshKey/);
    expect((await m.api.put(`/api/spiders/${other}/git`, JSON.stringify({ url, sshKey: 'not a key' }), 'application/json')).body.message).toMatch(/^sshKey: expected a private key/);
    expect((await m.api.put(`/api/spiders/${other}/git`, JSON.stringify({ url: 'https://example.com/x.git', sshKey: deploy.privateKey }), 'application/json')).body.message).toMatch(/^sshKey: only for ssh/);
  });

  it('a changed host key is refused with a clear error and the spider keeps its version; set again, the new key is pinned', async () => {
    await sshd.stop();
    rmSync(join(sshdDir, 'host_key'));
    rmSync(join(sshdDir, 'host_key.pub'));
    sshd = await sshGitServer(sshdDir, deploy.publicKey, sshd.port);
    const pinned = `ssh-ed25519 ${(await m.api.get(`/api/spiders/${spiderId}/git`)).body.hostKeyFingerprint.split(' ')[1]}`;
    commit({ 'spider/main.py': 'print("v3")\n' }, 'third');
    const r = await pull();
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(
      `git fetch of ${url} failed: the host key of 127.0.0.1:${sshd.port} is not the one pinned on first use (${pinned}): refused. If the server's key really changed, remove the git source and set it again`,
    );
    expect((await m.api.get(`/api/spiders/${spiderId}`)).body.version).toBe(2);
    expect((await m.api.get(`/api/spiders/${spiderId}/files/main.py`)).text).toBe('print("v2")\n');

    expect((await m.api.delete(`/api/spiders/${spiderId}/git`)).status).toBe(204);
    await setSource({ url, ref: 'main', path: 'spider', sshKey: deploy.privateKey });
    expect((await pull()).body).toMatchObject({ changed: true, version: 3 });
    expect((await m.api.get(`/api/spiders/${spiderId}/git`)).body.hostKeyFingerprint).toBe(`ssh-ed25519 ${sshd.hostKeyFingerprint}`);
  });
});
