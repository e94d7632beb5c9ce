import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from './support/cli-process';
import { Master, TestCluster } from './support/cluster';
import { endedWithCounts, expectPagesAgree, exportedItems, runTask, spiderWithFiles } from './support/results-helpers';
import { waitFor } from './support/wait';

const NODE = process.execPath;

/**
 * `node keys.js FROM TO [MARK] [REPEAT]`: one item per key FROM..TO (`key`, `url`, `mark`), ten
 * per result line (one line every PACE_MS with that env); REPEAT: that key once more at the end,
 * marked `<MARK>-again`.
 */
const KEYS_JS = `
const [from, to, mark = process.env.MARK || 'm', repeat] = process.argv.slice(2);
const items = [];
for (let k = Number(from); k <= Number(to); k++) items.push({ key: k, url: 'https://shop.test/p/' + k, mark });
if (repeat) items.push({ key: Number(repeat), url: 'https://shop.test/p/' + repeat, mark: mark + '-again' });
const line = (i) => process.stdout.write(JSON.stringify({ type: 'data', payload: items.slice(i, i + 10), ipc: true }) + '\\n');
const pace = Number(process.env.PACE_MS || 0);
if (!pace) for (let i = 0; i < items.length; i += 10) line(i);
else { let i = 0; const next = () => { line(i); i += 10; if (i < items.length) setTimeout(next, pace); }; next(); }
`;

type Backfill = { status: string; scanned: number; total: number; duplicates: number };

describe('results dedup: who owns an overwritten item, and turning dedup on over stored items', () => {
  const cluster = new TestCluster('results-dedup');
  let m: Master;
  let home: string;
  beforeAll(async () => {
    m = await cluster.startMaster({ CRAWLNEST_DEDUP_BACKFILL_BATCH: '100' });
    await cluster.startWorker({ masters: [m], name: 'dd1' });
    await cluster.startWorker({ masters: [m], name: 'dd2' });
    await cluster.waitNodeReady(m.api, 'dd1');
    await cluster.waitNodeReady(m.api, 'dd2');
    home = mkdtempSync(join(tmpdir(), 'cn-dedup-'));
  });
  afterAll(async () => {
    await cluster.stop();
    rmSync(home, { recursive: true, force: true });
  });

  /** Every per-task view agrees with the items that carry the task's `_tid`. */
  async function expectTaskViewsAgree(sid: string, spiderName: string, tid: string, expected: number): Promise<void> {
    const owned = (await exportedItems(m.api, sid)).filter((i) => i._tid === tid);
    const task = (await m.api.get(`/api/tasks/${tid}`)).body;
    const page = (await m.api.get(`/api/tasks/${tid}/results?page=1&size=100`)).body;
    const spiderPage = (await m.api.get(`/api/spiders/${sid}/results?taskId=${tid}&page=1&size=100`)).body;
    const cli = await runCli(['results', spiderName, '--task', tid], cliEnv(home, { CRAWLNEST_URL: m.api.baseUrl, CRAWLNEST_TOKEN: cluster.apiToken }));
    expect(cli.code).toBe(0);
    const cliLines = cli.stdout.split('\n').filter(Boolean);
    expect({ tid, owned: owned.length, resultCount: task.resultCount, total: page.total, pageItems: page.items.length, spiderTotal: spiderPage.total, spiderItems: spiderPage.items.length, cli: cliLines.length }).toEqual({
      tid,
      owned: expected,
      resultCount: expected,
      total: expected,
      pageItems: expected,
      spiderTotal: expected,
      spiderItems: expected,
      cli: expected,
    });
    for (const i of page.items) expect(i._tid).toBe(tid);
    // Every page of the task, newest first, against the items it holds (an item taken over left it).
    await expectPagesAgree(m.api, `/api/tasks/${tid}/results`, owned, 7, true);
  }

  it('overwrite: an overwritten item belongs to the task that wrote it last; every task view and count agrees, for three tasks and two at once', async () => {
    const name = 'dedup-owner';
    const sid = await spiderWithFiles(m.api, { name, cmd: `${NODE} keys.js`, dedup: { keys: ['key'], mode: 'overwrite' } }, { 'keys.js': KEYS_JS });
    const run = async (param: string) => {
      const t = await endedWithCounts(m.api, await runTask(m.api, sid, { param }));
      expect(t.status).toBe('finished');
      return (t as unknown as { id: string }).id;
    };
    const t1 = await run('1 30 one');
    await expectTaskViewsAgree(sid, name, t1, 30);
    const t2 = await run('1 30 two');
    // The second run took all 30 over: the first owns none.
    await expectTaskViewsAgree(sid, name, t1, 0);
    await expectTaskViewsAgree(sid, name, t2, 30);
    // A third takes 21..30 from the second, adds 31..40, and writes key 40 twice (its last copy wins).
    const t3 = await run('21 40 three 40');
    await expectTaskViewsAgree(sid, name, t1, 0);
    await expectTaskViewsAgree(sid, name, t2, 20);
    await expectTaskViewsAgree(sid, name, t3, 20);
    expect((await m.api.get(`/api/tasks/${t3}`)).body).toMatchObject({ resultDuplicates: 11 });
    const items = await exportedItems(m.api, sid);
    expect(items).toHaveLength(40);
    expect(new Set(items.map((i) => i.key)).size).toBe(40);
    expect(items.find((i) => i.key === 40)).toMatchObject({ mark: 'three-again', _tid: t3 });
    expect(items.find((i) => i.key === 25)).toMatchObject({ mark: 'three', _tid: t3 });
    expect(items.find((i) => i.key === 5)).toMatchObject({ mark: 'two', _tid: t2 });
    expect((await m.api.get(`/api/spiders/${sid}`)).body.resultCount).toBe(40);

    // Two tasks on two workers overwriting the same 200 keys at once: one document per key, and
    // each task's count is the number of documents it holds.
    const [n1, n2] = [await cluster.waitNodeReady(m.api, 'dd1'), await cluster.waitNodeReady(m.api, 'dd2')];
    const a = await runTask(m.api, sid, { param: '1 200 four', mode: 'selected-nodes', nodeIds: [n1] });
    const b = await runTask(m.api, sid, { param: '1 200 five', mode: 'selected-nodes', nodeIds: [n2] });
    expect((await endedWithCounts(m.api, a)).status).toBe('finished');
    expect((await endedWithCounts(m.api, b)).status).toBe('finished');
    const all = await exportedItems(m.api, sid);
    expect(all).toHaveLength(200);
    expect(new Set(all.map((i) => i.key)).size).toBe(200);
    for (const tid of [t1, t2, t3, a, b]) {
      const owned = all.filter((i) => i._tid === tid).length;
      expect({ tid, count: (await m.api.get(`/api/tasks/${tid}`)).body.resultCount }).toEqual({ tid, count: owned });
      expect({ tid, total: (await m.api.get(`/api/tasks/${tid}/results?size=1`)).body.total }).toEqual({ tid, total: owned });
    }
    expect((await m.api.get(`/api/spiders/${sid}`)).body.resultCount).toBe(200);
    await expectPagesAgree(m.api, `/api/spiders/${sid}/results`, all, 30);
    for (const tid of [a, b]) await expectPagesAgree(m.api, `/api/tasks/${tid}/results`, all.filter((i) => i._tid === tid), 45, true);
  }, 240_000);

  it('overwrite across a master SIGKILL mid-ingest: resent batches move each item and its count once', async () => {
    const N = 4000;
    const name = 'dedup-crash';
    const sid = await spiderWithFiles(m.api, { name, cmd: `${NODE} keys.js`, dedup: { keys: ['key'], mode: 'overwrite' } }, { 'keys.js': KEYS_JS });
    const t1 = await runTask(m.api, sid, { param: `1 ${N} one` });
    expect(await endedWithCounts(m.api, t1)).toMatchObject({ status: 'finished', resultCount: N });
    const t2 = await runTask(m.api, sid, { param: `1 ${N} two`, env: { PACE_MS: '5' } });
    await waitFor('the second run took some items over', async () => (await m.api.get(`/api/tasks/${t2}`)).body.resultCount >= 300, 120_000, 20);
    await cluster.restartMaster(m, 'SIGKILL');
    expect((await endedWithCounts(m.api, t2, 240_000)).status).toBe('finished');
    const items = await exportedItems(m.api, sid);
    expect(items).toHaveLength(N);
    expect(new Set(items.map((i) => i.key)).size).toBe(N);
    expect(items.every((i) => i._tid === t2 && i.mark === 'two')).toBe(true);
    expect((await m.api.get(`/api/tasks/${t2}`)).body).toMatchObject({ resultCount: N, resultDuplicates: N, resultErrors: 0 });
    expect((await m.api.get(`/api/tasks/${t1}`)).body).toMatchObject({ resultCount: 0 });
    expect((await m.api.get(`/api/tasks/${t1}/results?size=5`)).body).toEqual({ items: [], total: 0 });
    expect((await m.api.get(`/api/spiders/${sid}`)).body.resultCount).toBe(N);
    await expectPagesAgree(m.api, `/api/tasks/${t2}/results`, items, 1000, true);
    await expectPagesAgree(m.api, `/api/spiders/${sid}/results`, items, 1000);
  }, 300_000);

  it('turning dedup on claims the keys of the items already stored: the next run stores only new keys; duplicates already stored are kept', async () => {
    const sid = await spiderWithFiles(m.api, { name: 'dedup-later', cmd: `${NODE} keys.js` }, { 'keys.js': KEYS_JS });
    expect((await endedWithCounts(m.api, await runTask(m.api, sid, { param: '1 60 first' }))).resultCount).toBe(60);
    // Ten more with keys already stored (dedup is off): stored as well.
    expect((await endedWithCounts(m.api, await runTask(m.api, sid, { param: '51 60 second' }))).resultCount).toBe(10);
    const patched = await m.api.patch(`/api/spiders/${sid}`, { dedup: { keys: ['url'], mode: 'ignore' } });
    expect(patched.status).toBe(200);
    await waitFor('backfill done', async () => {
      const s = (await m.api.get(`/api/spiders/${sid}`)).body as { dedupBackfill?: Backfill };
      return !s.dedupBackfill || s.dedupBackfill.status === 'done' ? true : undefined;
    }, 60_000, 200);

    const t = await endedWithCounts(m.api, await runTask(m.api, sid, { param: '31 90 third' }));
    expect(t).toMatchObject({ status: 'finished', resultCount: 30, resultDuplicates: 30 });
    const items = await exportedItems(m.api, sid);
    expect(items).toHaveLength(100);
    expect(new Set(items.map((i) => i.url)).size).toBe(90);
    expect((await m.api.get(`/api/spiders/${sid}`)).body).toMatchObject({
      resultCount: 100,
      dedupBackfill: { status: 'done', scanned: 70, total: 70, duplicates: 10 },
    });
    // Changing the keys claims again under the new keys: `mark` has three values among the 100 stored.
    expect((await m.api.patch(`/api/spiders/${sid}`, { dedup: { keys: ['mark'], mode: 'ignore' } })).status).toBe(200);
    await waitFor('second backfill done', async () => ((await m.api.get(`/api/spiders/${sid}`)).body.dedupBackfill?.status === 'done' ? true : undefined), 60_000, 200);
    expect((await m.api.get(`/api/spiders/${sid}`)).body.dedupBackfill).toMatchObject({ scanned: 100, total: 100, duplicates: 97 });
    // A PATCH refused (a taken name) changes nothing: the keys it would have changed stay claimed.
    const refused = await m.api.patch(`/api/spiders/${sid}`, { name: 'dedup-owner', dedup: { keys: ['url'], mode: 'ignore' } });
    expect(refused.status).toBe(409);
    expect((await m.api.get(`/api/spiders/${sid}`)).body.dedup).toEqual({ keys: ['mark'], mode: 'ignore' });
    await waitFor('the previous keys claimed again', async () => {
      const b = (await m.api.get(`/api/spiders/${sid}`)).body.dedupBackfill as Backfill & { keys: string[] };
      return b.status === 'done' && b.keys[0] === 'mark' ? true : undefined;
    }, 60_000, 200);
    const again = await endedWithCounts(m.api, await runTask(m.api, sid, { param: '1 5 first' }));
    expect(again).toMatchObject({ resultCount: 0, resultDuplicates: 5 });
  }, 240_000);

  it('a master SIGKILL during the backfill: it resumes where it was, and items stored meanwhile are deduplicated', async () => {
    const N = 6000;
    const sid = await spiderWithFiles(m.api, { name: 'dedup-resume', cmd: `${NODE} keys.js` }, { 'keys.js': KEYS_JS });
    expect((await endedWithCounts(m.api, await runTask(m.api, sid, { param: `1 ${N} old` }), 180_000)).resultCount).toBe(N);
    expect((await m.api.patch(`/api/spiders/${sid}`, { dedup: { keys: ['url'], mode: 'ignore' } })).status).toBe(200);
    const before = await waitFor('backfill under way', async () => {
      const b = (await m.api.get(`/api/spiders/${sid}`)).body.dedupBackfill as Backfill | undefined;
      if (!b) throw new Error('no dedupBackfill in the spider view');
      return b.status === 'running' && b.scanned > 0 ? b : undefined;
    }, 60_000, 20);
    expect(before.scanned).toBeLessThan(N);
    await cluster.restartMaster(m, 'SIGKILL');
    await cluster.waitNodeReady(m.api, 'dd1', 60_000);
    // A run while the backfill may still be going: half its keys were stored before dedup was on.
    const tid = await runTask(m.api, sid, { param: `${N - 99} ${N + 100} new` });
    const done = await waitFor('backfill resumed and done', async () => {
      const b = (await m.api.get(`/api/spiders/${sid}`)).body.dedupBackfill as Backfill;
      return b.status === 'done' ? b : undefined;
    }, 180_000, 200);
    expect(done).toMatchObject({ scanned: N, total: N, duplicates: 0 });
    expect(m.proc.output()).toMatch(/dedup backfill resumed/);
    const t = await endedWithCounts(m.api, tid);
    expect(t).toMatchObject({ status: 'finished', resultCount: 100, resultDuplicates: 100 });
    const items = await exportedItems(m.api, sid);
    expect(items).toHaveLength(N + 100);
    expect(new Set(items.map((i) => i.url)).size).toBe(N + 100);
  }, 300_000);
});
