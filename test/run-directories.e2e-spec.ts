import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Master, TestCluster, Worker } from './support/cluster';
import { waitFor } from './support/wait';

type Task = { id: string; status: string; spiderVersion: number; startedAt: string | null; finishedAt: string | null };
type LogPage = { lines: { text: string }[]; nextAfter: number; done: boolean };

const PRINT_SH = 'i=0; while [ $i -lt "$LOOPS" ]; do cat data.txt; sleep 0.2; i=$((i+1)); done\n';

describe('immutable run directories: a run sees the version it was given, start to end', () => {
  const cluster = new TestCluster('run-dirs');
  let m: Master;
  let w: Worker;
  beforeAll(async () => {
    m = await cluster.startMaster();
    w = await cluster.startWorker({ masters: [m], name: 'rundirs' });
    await cluster.waitNodeReady(m.api, 'rundirs', 60_000);
  });
  afterAll(() => cluster.stop());

  const task = async (id: string) => (await m.api.get<Task>(`/api/tasks/${id}`)).body;
  const lines = async (id: string) => (await m.api.get<LogPage>(`/api/tasks/${id}/logs?limit=10000`)).body.lines.map((l) => l.text);

  it('a v1 task keeps printing v1 while v2 is uploaded and a v2 task syncs and runs on the same worker; v1\'s directory goes once unused', async () => {
    const spiderId: string = (await m.api.post('/api/spiders', { name: 'rundirs', cmd: 'sh print.sh' })).body.id;
    expect((await m.api.putFiles(`/api/spiders/${spiderId}/files`, { 'print.sh': PRINT_SH, 'data.txt': 'v1\n' })).body.version).toBe(1);
    const t1: string = (await m.api.post('/api/tasks', { spiderId, env: { LOOPS: '40' } })).body.tasks[0].id;
    await waitFor('v1 task printing', async () => (await lines(t1)).length >= 3, 30_000, 100);

    expect((await m.api.putFiles(`/api/spiders/${spiderId}/files`, { 'print.sh': PRINT_SH, 'data.txt': 'v2\n' })).body.version).toBe(2);
    const t2: string = (await m.api.post('/api/tasks', { spiderId, env: { LOOPS: '3' } })).body.tasks[0].id;
    const second = await waitFor('v2 task finished', async () => {
      const t = await task(t2);
      return t.status === 'finished' ? t : undefined;
    }, 30_000, 100);
    expect(second.spiderVersion).toBe(2);
    expect(await lines(t2)).toEqual(['v2', 'v2', 'v2']);
    // The v2 run was entirely inside the v1 run.
    expect((await task(t1)).status).toBe('running');

    const first = await waitFor('v1 task finished', async () => {
      const t = await task(t1);
      return t.status === 'finished' ? t : undefined;
    }, 60_000, 200);
    expect(first.spiderVersion).toBe(1);
    const printed = await lines(t1);
    expect(printed).toHaveLength(40);
    expect(printed.filter((l) => l !== 'v1')).toEqual([]);

    // Disk bounded: the v1 directory is removed once no run uses it; v2 (the newest) stays.
    const versions = join(w.workspace, 'spiders', spiderId, 'versions');
    await waitFor('only v2 left', () => JSON.stringify(readdirSync(versions)) === '["2.1"]', 10_000, 100);
    expect(existsSync(join(versions, '2.1', 'data.txt'))).toBe(true);
  }, 120_000);
});
