import { Master, TestCluster } from './support/cluster';
import { sha256, tarGzTree } from './support/spider-tree';
import { waitFor } from './support/wait';

type Entry = { path: string; size: number; sha256: string; mode: number };
type Diff = { added: Entry[]; removed: Entry[]; changed: { path: string; diff?: string }[] };

/**
 * Issue 20, points 1 and 2 over REST: every kept version can be read, compared and restored
 * (history only grows), a save based on an outdated version is refused, and an upload that
 * changes nothing is not a version.
 */
describe('spider versions: read, diff, restore; unchanged uploads', () => {
  const cluster = new TestCluster('spider-versions');
  let master: Master;
  let spiderId: string;
  const base = () => `/api/spiders/${spiderId}`;

  beforeAll(async () => {
    master = await cluster.startMaster();
    spiderId = (await master.api.post('/api/spiders', { name: 'versioned', cmd: 'sh run.sh' })).body.id;
    expect((await master.api.putFiles(`${base()}/files`, { 'run.sh': 'echo one\n', 'lib/util.py': 'A = 1\n', 'gone.txt': 'bye\n' })).body).toMatchObject({ version: 1 });
    expect((await master.api.putFiles(`${base()}/files`, { 'run.sh': 'echo two\necho more\n', 'lib/util.py': 'A = 1\n', 'new.txt': 'hi\n' })).body).toMatchObject({ version: 2 });
  });

  afterAll(() => cluster.stop());

  it('lists the files of an older version and serves their bytes', async () => {
    const m = await master.api.get<Entry[]>(`${base()}/versions/1/files`);
    expect(m.status).toBe(200);
    expect(m.body.map((e) => e.path)).toEqual(['gone.txt', 'lib/util.py', 'run.sh']);
    expect(m.body.find((e) => e.path === 'run.sh')).toEqual({ path: 'run.sh', size: 9, sha256: sha256('echo one\n'), mode: 0o644 });
    const f = await master.api.get(`${base()}/versions/1/files/run.sh`);
    expect(f.status).toBe(200);
    expect(f.text).toBe('echo one\n');
    expect((await master.api.get(`${base()}/versions/1/files/lib/util.py`)).text).toBe('A = 1\n');
    expect((await master.api.get(`${base()}/versions/2/files/run.sh`)).text).toBe('echo two\necho more\n');
  });

  it('answers 404 for an unknown version or a file that version does not have, 400 for a bad number', async () => {
    expect((await master.api.get(`${base()}/versions/99/files`)).status).toBe(404);
    expect((await master.api.get(`${base()}/versions/99/files/run.sh`)).status).toBe(404);
    expect((await master.api.get(`${base()}/versions/1/files/new.txt`)).status).toBe(404);
    expect((await master.api.get(`${base()}/versions/zero/files`)).status).toBe(400);
    expect((await master.api.get(`${base()}/versions/1/diff/99`)).status).toBe(404);
    expect((await master.api.post(`${base()}/versions/99/restore`)).status).toBe(404);
  });

  it('diffs two versions: added, removed, changed with a unified text diff', async () => {
    const d = await master.api.get<Diff>(`${base()}/versions/1/diff/2`);
    expect(d.status).toBe(200);
    expect(d.body.added.map((e) => e.path)).toEqual(['new.txt']);
    expect(d.body.removed.map((e) => e.path)).toEqual(['gone.txt']);
    expect(d.body.changed.map((c) => c.path)).toEqual(['run.sh']);
    const diff = d.body.changed[0].diff ?? '';
    expect(diff).toContain('-echo one');
    expect(diff).toContain('+echo two');
    expect(diff).toContain('+echo more');
    // Reversed, the roles swap.
    const back = (await master.api.get<Diff>(`${base()}/versions/2/diff/1`)).body;
    expect(back.added.map((e) => e.path)).toEqual(['gone.txt']);
    expect(back.removed.map((e) => e.path)).toEqual(['new.txt']);
  });

  it('restores version 1 as a new version 3 with exactly its files; history keeps 1 and 2', async () => {
    const r = await master.api.post(`${base()}/versions/1/restore`);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ version: 3 });
    const current = (await master.api.get<{ version: number; files: Entry[] }>(`${base()}/files`)).body;
    expect(current.version).toBe(3);
    const v1 = (await master.api.get<Entry[]>(`${base()}/versions/1/files`)).body;
    expect(current.files).toEqual(v1);
    expect((await master.api.get(`${base()}/files/run.sh`)).text).toBe('echo one\n');
    const list = (await master.api.get<{ version: number; restoredFrom?: number | null }[]>(`${base()}/versions`)).body;
    expect(list.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(list[0].restoredFrom).toBe(1);
    expect((await master.api.get(`${base()}`)).body.version).toBe(3);
  });

  it('refuses a file save based on a version older than the file\'s last change (409 naming it), accepts an up-to-date one', async () => {
    // run.sh last changed in version 3 (the restore); a save based on version 2 would drop that.
    const stale = await master.api.put(`${base()}/files/run.sh?baseVersion=2`, 'echo stale\n', 'application/octet-stream');
    expect(stale.status).toBe(409);
    expect(stale.text).toMatch(/version 3/);
    expect((await master.api.get(`${base()}/files/run.sh`)).text).toBe('echo one\n');
    // Based on 3 it goes through; lib/util.py did not change since 1, so a save based on 1 is fine too.
    const ok = await master.api.put(`${base()}/files/run.sh?baseVersion=3`, 'echo four\n', 'application/octet-stream');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ version: 4 });
    const other = await master.api.put(`${base()}/files/lib/util.py?baseVersion=1`, 'A = 2\n', 'application/octet-stream');
    expect(other.body).toEqual({ version: 5 });
    expect((await master.api.put(`${base()}/files/run.sh?baseVersion=abc`, 'x', 'application/octet-stream')).status).toBe(400);
  });

  it('an upload with identical content is not a version: tree (multipart, tar.gz) and single file', async () => {
    const tree = { 'run.sh': 'echo same\n', 'lib/util.py': 'A = 2\n' };
    const first = await master.api.putFiles(`${base()}/files`, tree);
    const v: number = first.body.version;
    expect(first.body.unchanged).toBeUndefined();
    const again = await master.api.putFiles(`${base()}/files`, tree);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ version: v, unchanged: true, fileCount: 2 });
    const tgz = await tarGzTree({ 'run.sh': { content: 'echo same\n' }, 'lib/util.py': { content: 'A = 2\n' } });
    expect((await master.api.put(`${base()}/files`, tgz, 'application/gzip')).body).toMatchObject({ version: v, unchanged: true });
    const file = await master.api.put(`${base()}/files/run.sh`, 'echo same\n', 'application/octet-stream');
    expect(file.body).toEqual({ version: v, unchanged: true });
    // A mode change is a change.
    expect((await master.api.put(`${base()}/files/run.sh?mode=755`, 'echo same\n', 'application/octet-stream')).body).toEqual({ version: v + 1 });
    // Restoring the version that is current changes nothing either.
    expect((await master.api.post(`${base()}/versions/${v + 1}/restore`)).body).toMatchObject({ version: v + 1, unchanged: true });
    const list = (await master.api.get<{ version: number }[]>(`${base()}/versions`)).body;
    expect(list[0].version).toBe(v + 1);
    expect((await master.api.get(`${base()}`)).body.version).toBe(v + 1);
  });

  it('the 413 names the setting that raises the limit and .crawlnestignore', async () => {
    const small = await cluster.startMaster({ CRAWLNEST_MAX_UPLOAD_BYTES: '4096' });
    const id = (await small.api.post('/api/spiders', { name: 'small', cmd: 'true' })).body.id;
    const big = await small.api.put(`/api/spiders/${id}/files`, Buffer.alloc(20_000, 1), 'application/gzip');
    expect(big.status).toBe(413);
    expect(big.text).toContain('CRAWLNEST_MAX_UPLOAD_BYTES');
    expect(big.text).toContain('.crawlnestignore');
    const limits = await small.api.get('/api/limits');
    expect(limits.status).toBe(200);
    expect(limits.body).toMatchObject({ maxUploadBytes: 4096 });
  });
});

describe('archive unwrapping on request', () => {
  const cluster = new TestCluster('spider-versions-unwrap');
  let master: Master;

  beforeAll(async () => {
    master = await cluster.startMaster();
  });

  afterAll(() => cluster.stop());

  it('unwrap=false keeps a lone top-level folder; the default still drops it and says so', async () => {
    const tgz = await tarGzTree({ 'app/main.py': { content: 'print(1)\n' } });
    const kept = (await master.api.post('/api/spiders', { name: 'kept', cmd: 'python3 app/main.py' })).body.id;
    const r1 = await master.api.put(`/api/spiders/${kept}/files?unwrap=false`, tgz, 'application/gzip');
    expect(r1.body).toMatchObject({ version: 1, unwrapped: null });
    expect((await master.api.get(`/api/spiders/${kept}/files`)).body.files.map((f: Entry) => f.path)).toEqual(['app/main.py']);
    const dropped = (await master.api.post('/api/spiders', { name: 'dropped', cmd: 'python3 main.py' })).body.id;
    const r2 = await master.api.put(`/api/spiders/${dropped}/files`, tgz, 'application/gzip');
    expect(r2.body).toMatchObject({ version: 1, unwrapped: 'app/' });
    expect((await master.api.get(`/api/spiders/${dropped}/files`)).body.files.map((f: Entry) => f.path)).toEqual(['main.py']);
    expect((await master.api.put(`/api/spiders/${dropped}/files?unwrap=maybe`, tgz, 'application/gzip')).status).toBe(400);
  });
});

describe('versions retention dropped', () => {
  const cluster = new TestCluster('spider-versions-retention');
  let master: Master;

  beforeAll(async () => {
    master = await cluster.startMaster({ CRAWLNEST_STORAGE_GC_MS: '500' });
  });

  afterAll(() => cluster.stop());

  it('a version retention dropped answers 404 to reads, diffs and restores; a kept one still restores', async () => {
    const id = (await master.api.post('/api/spiders', { name: 'short-memory', cmd: 'true', keepVersions: 2 })).body.id;
    for (const n of [1, 2, 3]) expect((await master.api.putFiles(`/api/spiders/${id}/files`, { 'n.txt': `${n}\n` })).body).toMatchObject({ version: n });
    await waitFor('version 1 pruned', async () => ((await master.api.get(`/api/spiders/${id}/versions`)).body as { version: number }[]).map((v) => v.version).join() === '3,2', 20_000, 200);
    expect((await master.api.get(`/api/spiders/${id}/versions/1/files`)).status).toBe(404);
    expect((await master.api.get(`/api/spiders/${id}/versions/1/files/n.txt`)).status).toBe(404);
    expect((await master.api.get(`/api/spiders/${id}/versions/1/diff/3`)).status).toBe(404);
    expect((await master.api.post(`/api/spiders/${id}/versions/1/restore`)).status).toBe(404);
    expect((await master.api.post(`/api/spiders/${id}/versions/2/restore`)).body).toEqual({ version: 4 });
    expect((await master.api.get(`/api/spiders/${id}/files/n.txt`)).text).toBe('2\n');
  });
});
