import { Master, TestCluster } from './support/cluster';
import { EMIT_JS, endedWithCounts, exportedItems, runTask, spiderWithFiles } from './support/results-helpers';
import { waitFor } from './support/wait';

const NODE = process.execPath;

describe('results survive a master SIGKILL mid-stream', () => {
  const cluster = new TestCluster('results-durability');
  let m: Master;
  beforeAll(async () => {
    m = await cluster.startMaster();
    await cluster.startWorker({ masters: [m], name: 'dw' });
    await cluster.waitNodeReady(m.api, 'dw');
  });
  afterAll(() => cluster.stop());

  it('20k items, one line each (as CrawlabPipeline prints them): all stored exactly once, counts match', async () => {
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
  }, 300_000);
});
