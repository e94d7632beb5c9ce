import { Master, TestCluster } from './support/cluster';
import { EMIT_JS, endedWithCounts, expectPagesAgree, exportedItems, runTask, spiderWithFiles } from './support/results-helpers';
import { waitFor } from './support/wait';

const NODE = process.execPath;

describe('results survive a master SIGKILL mid-stream', () => {
  const cluster = new TestCluster('results-durability');
  let m: Master;
  beforeAll(async () => {
    m = await cluster.startMaster();
    await cluster.startWorker({ masters: [m], name: 'dw' });
    await cluster.waitNodeReady(m.api, 'dw', 60_000);
  }, 120_000);
  afterAll(() => cluster.stop());

  it('20k items, one line each (as CrawlabPipeline prints them): all stored exactly once, counts match, pages agree with the export', async () => {
    const N = 20_000;
    const sid = await spiderWithFiles(m.api, { name: 'durable', cmd: `${NODE} emit.js ${N} 1` }, { 'emit.js': EMIT_JS });
    const tid = await runTask(m.api, sid);
    await waitFor('some items stored', async () => (await m.api.get(`/api/tasks/${tid}`)).body.resultCount >= 1000, 120_000, 50);
    await cluster.restartMaster(m, 'SIGKILL');
    const t = await endedWithCounts(m.api, tid, 240_000);
    expect(t).toMatchObject({ status: 'finished', resultCount: N, resultErrors: 0, resultDuplicates: 0 });
    const items = await exportedItems(m.api, sid);
    expect(items).toHaveLength(N);
    const ns = new Set(items.map((i) => i.n));
    expect(ns.size).toBe(N);
    expect(Math.min(...(ns as Set<number>))).toBe(1);
    expect(Math.max(...(ns as Set<number>))).toBe(N);
    expect((await m.api.get(`/api/spiders/${sid}`)).body.resultCount).toBe(N);
    // Batches resent after the kill are placed once: every page, newest first, none missing or repeated.
    await expectPagesAgree(m.api, `/api/spiders/${sid}/results`, items, 1000, true);
    const newest = [...items].map((i) => i._id).sort().reverse();
    for (const page of [1, 137, 1000]) {
      const r = (await m.api.get(`/api/tasks/${tid}/results?page=${page}&size=20`)).body;
      expect({ page, ids: r.items.map((i: { _id: string }) => i._id), total: r.total }).toEqual({ page, ids: newest.slice((page - 1) * 20, page * 20), total: N });
    }
  }, 300_000);
});

describe('result pages on two replicas', () => {
  const cluster = new TestCluster('results-replicas');
  let m: Master;
  let m2: Master;
  beforeAll(async () => {
    m = await cluster.startMaster();
    m2 = await cluster.startMaster();
    await cluster.startWorker({ masters: [m, m2], name: 'rw1' });
    await cluster.startWorker({ masters: [m2, m], name: 'rw2' });
    await cluster.waitNodeReady(m.api, 'rw1', 60_000);
    await cluster.waitNodeReady(m.api, 'rw2', 60_000);
  }, 120_000);
  afterAll(() => cluster.stop());

  it('two tasks storing at once through two replicas: each replica pages the spider and each task the same, from the export', async () => {
    const N = 2500;
    const sid = await spiderWithFiles(m.api, { name: 'two-replicas', cmd: `${NODE} emit.js ${N} 5` }, { 'emit.js': EMIT_JS });
    const a = await runTask(m.api, sid, { mode: 'selected-nodes', nodeIds: [await cluster.waitNodeReady(m.api, 'rw1')] });
    const b = await runTask(m2.api, sid, { mode: 'selected-nodes', nodeIds: [await cluster.waitNodeReady(m.api, 'rw2')] });
    // Read while both store: the first page answers from what is placed.
    await waitFor('both storing', async () => (await m2.api.get(`/api/spiders/${sid}/results?size=5`)).body.items.length === 5, 120_000, 50);
    expect((await endedWithCounts(m.api, a)).status).toBe('finished');
    expect((await endedWithCounts(m.api, b)).status).toBe('finished');
    const items = await exportedItems(m.api, sid);
    expect(items).toHaveLength(2 * N);
    for (const master of [m, m2]) {
      await expectPagesAgree(master.api, `/api/spiders/${sid}/results`, items, 1000);
      for (const t of [a, b]) await expectPagesAgree(master.api, `/api/tasks/${t}/results`, items.filter((i) => i._tid === t), 1000, true);
    }
  }, 300_000);
});
