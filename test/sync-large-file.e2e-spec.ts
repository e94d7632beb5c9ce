import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, openAsBlob } from 'node:fs';
import { join } from 'node:path';
import { Master, TestCluster, Worker } from './support/cluster';
import { MemoryWatch } from './support/proc-memory';
import { taskEnded, taskOutput } from './support/spider-tree';

/** 200 MB as the issue asks; CRAWLNEST_E2E_LARGE_MB shrinks it while working on this suite. */
const SIZE = Number(process.env.CRAWLNEST_E2E_LARGE_MB ?? 200) * 1024 * 1024;
const LIMIT_MB = 64;

/** Writes `size` random bytes to `file` 1 MB at a time; returns their sha256. */
async function randomFile(file: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  for (let left = size; left > 0; ) {
    const chunk = randomBytes(Math.min(left, 1024 * 1024));
    hash.update(chunk);
    left -= chunk.length;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
  return hash.digest('hex');
}

describe('a 200 MB file goes up and out with bounded memory', () => {
  const cluster = new TestCluster('sync-large');
  let master: Master;
  let worker: Worker;
  let spiderId: string;
  let bigSha: string;

  beforeAll(async () => {
    master = await cluster.startMaster();
    worker = await cluster.startWorker({ masters: [master], name: 'w1' });
    await cluster.waitNodeReady(master.api, 'w1');
    bigSha = await randomFile(join(cluster.dir, 'big.bin'), SIZE);
    spiderId = (await master.api.post('/api/spiders', { name: 'large', cmd: `echo "${bigSha}  data/big.bin" | sha256sum -c --quiet && echo BIG-OK` })).body.id;
  }, 120_000);

  afterAll(() => cluster.stop());

  it(`uploads over REST with the master growing by less than ${LIMIT_MB} MB`, async () => {
    const watch = new MemoryWatch(master.proc.pid);
    const res = await fetch(`${master.api.baseUrl}/api/spiders/${spiderId}/files/data/big.bin`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${cluster.apiToken}`, 'content-type': 'application/octet-stream' },
      body: await openAsBlob(join(cluster.dir, 'big.bin')),
    });
    const mem = watch.stop();
    process.stdout.write(`master RSS during the 200 MB upload: ${JSON.stringify({ ...mem, peakReset: watch.peakReset })}\n`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ version: 1 });
    const m = (await master.api.get(`/api/spiders/${spiderId}/files`)).body;
    expect(m.files).toEqual([{ path: 'data/big.bin', size: SIZE, mode: 0o644, sha256: bigSha }]);
    expect(mem.growthMb).toBeLessThan(LIMIT_MB);
  }, 180_000);

  it(`syncs to a worker with master and worker each growing by less than ${LIMIT_MB} MB, content verified`, async () => {
    const mw = new MemoryWatch(master.proc.pid);
    const ww = new MemoryWatch(worker.proc.pid);
    const r = await master.api.post('/api/tasks', { spiderId });
    const t = await taskEnded(master.api, r.body.tasks[0].id, 180_000);
    const masterMem = mw.stop();
    const workerMem = ww.stop();
    process.stdout.write(`RSS during the 200 MB sync: ${JSON.stringify({ master: masterMem, worker: workerMem, peakReset: mw.peakReset && ww.peakReset })}\n`);
    expect(t).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(t.sync).toMatchObject({ filesTransferred: 1, bytesTransferred: SIZE });
    expect(await taskOutput(master.api, t.id)).toEqual(['BIG-OK']);
    expect(masterMem.growthMb).toBeLessThan(LIMIT_MB);
    expect(workerMem.growthMb).toBeLessThan(LIMIT_MB);
  }, 240_000);
});
