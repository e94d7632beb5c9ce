import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Master, TestCluster, Worker } from './support/cluster';
import { taskEnded, taskOutput, tarGzTree, Tree, verifyScript } from './support/spider-tree';
import { waitFor } from './support/wait';

const BIG = 100 * 1024 * 1024;

/** Size of the biggest temp file the worker is downloading into, 0 when none. */
function partialDownloadBytes(spiderDir: string): number {
  let biggest = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.part')) biggest = Math.max(biggest, statSync(p, { throwIfNoEntry: false })?.size ?? 0);
    }
  };
  try {
    walk(spiderDir);
  } catch {
    return 0; // not created yet, or a file renamed while we walked
  }
  return biggest;
}

describe('the master dies while a worker downloads a file', () => {
  const cluster = new TestCluster('sync-restart');
  let master: Master;
  let worker: Worker;
  let spiderId: string;

  beforeAll(async () => {
    master = await cluster.startMaster();
    worker = await cluster.startWorker({ masters: [master], name: 'w1' });
    await cluster.waitNodeReady(master.api, 'w1');
    spiderId = (await master.api.post('/api/spiders', { name: 'restart', cmd: './check.sh' })).body.id;
    const big = randomBytes(BIG);
    const tree: Tree = {
      'a.py': { content: 'print("a")\n' },
      'pkg/b.py': { content: 'print("b")\n' },
      'data/big.bin': { content: big },
      'check.sh': { content: '', mode: 0o755 },
    };
    tree['check.sh'] = { content: verifyScript(tree, 'check.sh'), mode: 0o755 };
    const small = { ...tree };
    delete small['data/big.bin'];
    expect((await master.api.put(`/api/spiders/${spiderId}/files`, await tarGzTree(small), 'application/gzip')).body).toMatchObject({ version: 1 });
    expect((await master.api.put(`/api/spiders/${spiderId}/files/data/big.bin`, big, 'application/octet-stream')).body).toEqual({ version: 2 });
  }, 120_000);

  afterAll(() => cluster.stop());

  it('SIGKILL mid-download, restart on the same gRPC port: the task never runs on partial files', async () => {
    const created = await master.api.post('/api/tasks', { spiderId });
    const taskId = created.body.tasks[0].id as string;
    const spiderDir = join(worker.workspace, 'spiders', spiderId);
    await waitFor('the worker is half-way through big.bin', () => partialDownloadBytes(spiderDir) >= 4 * 1024 * 1024, 60_000, 10);
    master.proc.kill('SIGKILL');
    await master.proc.exited;
    const partialAtKill = partialDownloadBytes(spiderDir);
    expect(partialAtKill).toBeLessThan(BIG);

    const restarted = await cluster.startMaster({ CRAWLNEST_GRPC_PORT: String(master.grpcPort) });
    const t = await taskEnded(restarted.api, taskId, 120_000);
    const out = await taskOutput(restarted.api, taskId);
    // Either the sync resumed after the restart and the task ran on verified files, or the
    // task failed before its command ran; a command that ran on partial files fails its
    // own sha256 check and ends with an exit code, which is the one outcome refused here.
    if (t.status === 'finished') {
      expect(out).toContain('SYNC-OK');
      expect(worker.proc.output()).toContain('sync step failed, retrying');
    } else {
      expect(t.exitCode).toBeNull();
      expect(out).not.toContain('SYNC-OK');
      if (t.status === 'error') expect(t.error).toMatch(/^file sync failed: /);
    }
    process.stdout.write(`task after the master restart: ${JSON.stringify({ status: t.status, error: t.error, sync: t.sync, partialAtKill })}\n`);

    // And the next task runs on the complete version.
    const again = await restarted.api.post('/api/tasks', { spiderId });
    const t2 = await taskEnded(restarted.api, again.body.tasks[0].id, 120_000);
    expect(t2).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(await taskOutput(restarted.api, t2.id)).toContain('SYNC-OK');
  }, 300_000);
});

/** Regular files under `dir` (temp `.part` files excluded), 0 when it does not exist yet. */
function landedFiles(dir: string): number {
  let n = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (!e.name.endsWith('.part')) n++;
    }
  };
  try {
    walk(dir);
  } catch {
    return n; // not created yet, or a directory changed while we walked
  }
  return n;
}

describe('the master dies while a worker fetches many small files in batches (DownloadMany with read-ahead)', () => {
  const cluster = new TestCluster('sync-restart-many');
  const FILES = 800;
  let master: Master;
  let worker: Worker;
  let spiderId: string;

  beforeAll(async () => {
    master = await cluster.startMaster();
    worker = await cluster.startWorker({ masters: [master], name: 'w1' });
    await cluster.waitNodeReady(master.api, 'w1', 60_000);
    spiderId = (await master.api.post('/api/spiders', { name: 'restart-many', cmd: './check.sh' })).body.id;
    const tree: Tree = { 'check.sh': { content: '', mode: 0o755 } };
    for (let i = 0; i < FILES; i++) tree[`m${i % 10}/f${i}.bin`] = { content: randomBytes(8_000 + (i % 7) * 9_000) };
    tree['check.sh'] = { content: verifyScript(tree, 'check.sh'), mode: 0o755 };
    expect((await master.api.put(`/api/spiders/${spiderId}/files`, await tarGzTree(tree), 'application/gzip')).body).toMatchObject({ version: 1 });
  }, 280_000);

  afterAll(() => cluster.stop());

  it('SIGKILL after some files landed, restart: the sync fetches the rest, every file verified, the task runs once', async () => {
    const created = await master.api.post('/api/tasks', { spiderId });
    const taskId = created.body.tasks[0].id as string;
    const store = join(worker.workspace, 'spiders', spiderId, 'files');
    await waitFor('the worker has some of the files', () => landedFiles(store) >= 20, 120_000, 5);
    master.proc.kill('SIGKILL');
    await master.proc.exited;
    const landedAtKill = landedFiles(store);
    expect(landedAtKill).toBeLessThan(FILES + 1); // cut mid-way: not every file was there yet

    const restarted = await cluster.startMaster({ CRAWLNEST_GRPC_PORT: String(master.grpcPort) });
    const t = await taskEnded(restarted.api, taskId, 180_000);
    const out = await taskOutput(restarted.api, taskId);
    process.stdout.write(`many-files task after the master restart: ${JSON.stringify({ status: t.status, error: t.error, sync: t.sync, landedAtKill })}\n`);
    if (t.status === 'finished') {
      // check.sh verified the sha256 of all 800 files and that no other file is there
      expect(out).toContain('SYNC-OK');
      expect(worker.proc.output()).toContain('sync step failed, retrying');
      // Only what had not landed was fetched after the restart (plus at most the batches cut short).
      expect(t.sync?.filesTransferred ?? 0).toBeGreaterThan(0);
    } else {
      expect(t.exitCode).toBeNull();
      expect(out).not.toContain('SYNC-OK');
      if (t.status === 'error') expect(t.error).toMatch(/^file sync failed: /);
    }

    const again = await restarted.api.post('/api/tasks', { spiderId });
    const t2 = await taskEnded(restarted.api, again.body.tasks[0].id, 180_000);
    expect(t2).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(await taskOutput(restarted.api, t2.id)).toContain('SYNC-OK');
  }, 400_000);
});
