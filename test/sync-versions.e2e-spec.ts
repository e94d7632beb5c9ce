import { Master, TestCluster } from './support/cluster';
import { taskEnded, taskOutput, tarGzTree, Tree, verifyScript } from './support/spider-tree';

function withCheck(tree: Tree): Tree {
  const full: Tree = { ...tree, 'check.sh': { content: '', mode: 0o755 } };
  full['check.sh'] = { content: verifyScript(full, 'check.sh'), mode: 0o755 };
  return full;
}

const V1: Tree = {
  'keep.txt': { content: 'unchanged\n' },
  'change.py': { content: 'print("v1")\n' },
  'old/nested/gone.py': { content: 'print("deleted in v2")\n' },
  'tool.sh': { content: 'echo tool\n', mode: 0o644 },
  'data/big.bin': { content: Buffer.alloc(300_000, 7) },
};

const V2: Tree = {
  'keep.txt': V1['keep.txt'],
  'change.py': { content: 'print("v2, longer than before")\n' },
  'new/added.py': { content: 'print("added in v2")\n' },
  'tool.sh': { content: 'echo tool\n', mode: 0o755 }, // only the mode changes
  'data/big.bin': { content: Buffer.alloc(300_000, 8) }, // same size, new content
};

describe('a new spider version replaces the worker copy exactly', () => {
  const cluster = new TestCluster('sync-versions');
  let master: Master;
  let spiderId: string;

  beforeAll(async () => {
    master = await cluster.startMaster();
    await cluster.startWorker({ masters: [master], name: 'w1' });
    await cluster.waitNodeReady(master.api, 'w1');
    spiderId = (await master.api.post('/api/spiders', { name: 'versions', cmd: './check.sh' })).body.id;
  });

  afterAll(() => cluster.stop());

  async function upload(tree: Tree, version: number): Promise<void> {
    const r = await master.api.put(`/api/spiders/${spiderId}/files`, await tarGzTree(tree), 'application/gzip');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ version, fileCount: Object.keys(tree).length });
  }

  async function run(cmd?: string) {
    const r = await master.api.post('/api/tasks', { spiderId, ...(cmd ? { cmd } : {}) });
    const t = await taskEnded(master.api, r.body.tasks[0].id);
    return { t, out: await taskOutput(master.api, t.id) };
  }

  it('version 1 runs on exactly version 1', async () => {
    await upload(withCheck(V1), 1);
    const { t, out } = await run();
    expect(t).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(out).toContain('SYNC-OK');
  });

  it('version 2 (changed, added, deleted, mode-only files) runs on exactly version 2, fetching only what changed', async () => {
    await upload(withCheck(V2), 2);
    const { t, out } = await run();
    expect(t).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(out).toContain('SYNC-OK');
    // change.py, new/added.py, data/big.bin and check.sh changed; keep.txt and tool.sh (chmod) did not.
    expect(t.sync).toMatchObject({ filesTotal: 6, filesTransferred: 4, filesDeleted: 1 });
    const gone = await run('test ! -e old && echo OLD-DIR-GONE');
    expect(gone.out).toEqual(['OLD-DIR-GONE']);
  });

  it('single-file put and delete make versions 3 and 4, and the next task sees them', async () => {
    const put = await master.api.put(`/api/spiders/${spiderId}/files/extra/one.txt?mode=600`, 'one\n', 'text/plain');
    expect(put.body).toEqual({ version: 3 });
    const del = await master.api.delete(`/api/spiders/${spiderId}/files/keep.txt`);
    expect(del.body).toEqual({ version: 4 });
    const { t, out } = await run('cat extra/one.txt && stat -c %a extra/one.txt && test ! -e keep.txt && echo KEEP-GONE');
    expect(t).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(out).toEqual(['one', '600', 'KEEP-GONE']);
    // The spider lists the versions it keeps, newest first, each with its own size.
    const versions = (await master.api.get(`/api/spiders/${spiderId}/versions`)).body as { version: number; fileCount: number; totalBytes: number; createdAt: string }[];
    expect(versions.map((v) => v.version)).toEqual([4, 3, 2, 1]);
    expect(versions[1].fileCount).toBe(versions[0].fileCount + 1); // version 4 deleted keep.txt
    expect(versions[0].totalBytes).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(versions[0].createdAt))).toBe(false);
    expect((await master.api.get('/api/spiders/0123456789abcdef01234567/versions')).status).toBe(404);
  });

  it('a path that was a file becomes a directory, and back', async () => {
    const asDir = await master.api.putFiles(`/api/spiders/${spiderId}/files`, { 'x/y.txt': 'y' });
    expect(asDir.body).toMatchObject({ version: 5 });
    expect((await run('cat x/y.txt')).out).toEqual(['y']);
    const asFile = await master.api.putFiles(`/api/spiders/${spiderId}/files`, { x: 'file now\n' });
    expect(asFile.body).toMatchObject({ version: 6 });
    const { t, out } = await run('cat x && find . -type f | wc -l');
    expect(t).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(out).toEqual(['file now', '1']);
    const again = await master.api.putFiles(`/api/spiders/${spiderId}/files`, { 'x/y.txt': 'y2' });
    expect(again.body).toMatchObject({ version: 7 });
    expect((await run('cat x/y.txt')).out).toEqual(['y2']);
  });

  it('a file a task edited in place is restored before the next run', async () => {
    const v = await master.api.put(`/api/spiders/${spiderId}/files`, await tarGzTree(withCheck(V2)), 'application/gzip');
    expect(v.status).toBe(200);
    await run();
    // Same size, new content: only the modification time gives it away.
    const edit = await run("printf 'print(\"XX, longer than before\")\\n' > change.py && echo EDITED");
    expect(edit.out).toEqual(['EDITED']);
    const { out } = await run('cat change.py');
    expect(out).toEqual(['print("v2, longer than before")']);
  });

  it("a run's leftovers and deletions never reach the next run: the same version is repaired, the next version is exact; an untouched version is handed out again without a sync", async () => {
    const v1 = (await master.api.put(`/api/spiders/${spiderId}/files`, await tarGzTree(withCheck(V1)), 'application/gzip')).body.version as number;
    expect((await run()).out).toContain('SYNC-OK');
    // Unchanged since: the worker hands the same directory out again without asking the master.
    const skipsBefore = (cluster.workers[0].proc.output().match(/unchanged: true|"unchanged":true/g) ?? []).length;
    const warm = await run();
    expect(warm.out).toContain('SYNC-OK');
    expect(warm.t.sync).toMatchObject({ filesTotal: 6, filesTransferred: 0 });
    expect((cluster.workers[0].proc.output().match(/unchanged: true|"unchanged":true/g) ?? []).length).toBe(skipsBefore + 1);
    // A run that litters its directory and deletes a file of the version.
    const dirty = await run('mkdir -p junk/deep && echo x > junk/deep/left.txt && echo x > stray.txt && rm keep.txt && echo DIRTY');
    expect(dirty.out).toEqual(['DIRTY']);
    const repaired = await run();
    expect(repaired.out).toContain('SYNC-OK'); // exactly version 1's files: keep.txt back, no junk
    expect((await run('echo x > more-junk.txt && echo DIRTY')).out).toEqual(['DIRTY']);
    const v2 = (await master.api.put(`/api/spiders/${spiderId}/files`, await tarGzTree(withCheck(V2)), 'application/gzip')).body.version as number;
    expect(v2).toBe(v1 + 1);
    const next = await run();
    expect(next.t).toMatchObject({ status: 'finished', exitCode: 0, spiderVersion: v2 });
    expect(next.out).toContain('SYNC-OK'); // made from the previous directory: nothing of it is left over
  });
});

