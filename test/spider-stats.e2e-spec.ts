import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

type Day = { day: string; byStatus: Record<string, number>; runs: number; avgDurationMs: number | null };

/**
 * Issue 23 (Stats tab): runs per day come from daily counts kept per replica. Two masters close
 * tasks of the same spiders at the same time (the worker's replica finishes them, the other
 * cancels), and both answer the same counts, equal to the tasks listed.
 */
describe('spider stats from daily counts on two replicas', () => {
  const cluster = new TestCluster('spider-stats');
  let a: Master;
  let b: Master;
  let ok: string;
  let failing: string;

  beforeAll(async () => {
    a = await cluster.startMaster();
    b = await cluster.startMaster();
    await cluster.startWorker({ masters: [a, b], name: 'stats1', env: { CRAWLNEST_MAX_RUNNERS: '4' } });
    await cluster.waitNodeReady(a.api, 'stats1', 60_000);
    ok = (await a.api.post('/api/spiders', { name: 'ok', cmd: 'sleep 0.3; echo done' })).body.id;
    failing = (await a.api.post('/api/spiders', { name: 'failing', cmd: 'exit 3' })).body.id;
  }, 120_000);

  afterAll(() => cluster.stop());

  const today = async (m: Master, spiderId: string) => {
    const r = await m.api.get<{ days: Day[] }>(`/api/spiders/${spiderId}/stats?days=7`);
    expect(r.status).toBe(200);
    expect(r.body.days).toHaveLength(7);
    return r.body.days[6];
  };
  const listed = async (spiderId: string, status: string) => (await a.api.get(`/api/tasks?spiderId=${spiderId}&status=${status}&size=100`)).body.items.length as number;

  it('runs per day by status agree with the tasks run, on both replicas', async () => {
    const created = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => (i % 2 ? b : a).api.post('/api/tasks', { spiderId: ok })),
      ...Array.from({ length: 3 }, (_, i) => (i % 2 ? b : a).api.post('/api/tasks', { spiderId: failing })),
    ]);
    for (const r of created) expect(r.status).toBe(201);
    // Five no node can take, cancelled through both replicas at once.
    const parked = await Promise.all(Array.from({ length: 5 }, () => a.api.post('/api/tasks', { spiderId: ok, labels: { pool: 'nowhere' } })));
    await Promise.all(parked.map((p, i) => (i % 2 ? a : b).api.post(`/api/tasks/${p.body.tasks[0].id}/cancel`)));
    await waitFor('every task ended', async () => (await listed(ok, 'finished')) === 8 && (await listed(failing, 'error')) === 3 && (await listed(ok, 'cancelled')) === 5, 60_000, 250);
    for (const m of [a, b]) {
      const d = await waitFor(`${m.name}: today's counts`, async () => {
        const x = await today(m, ok);
        return x.runs === 13 ? x : undefined;
      }, 10_000, 200);
      expect(d.byStatus).toEqual({ finished: 8, cancelled: 5 });
      // Only the 8 that ran have a duration: each slept 0.3 s.
      expect(d.avgDurationMs).toBeGreaterThanOrEqual(300);
      expect(d.day).toBe(new Date().toISOString().slice(0, 10));
      const f = await today(m, failing);
      expect(f.byStatus).toEqual({ error: 3 });
      expect((await m.api.get('/api/stats')).body.tasksEndedToday).toBe(16);
    }
    const month = (await b.api.get<{ days: Day[] }>(`/api/spiders/${ok}/stats?days=30`)).body.days;
    expect(month).toHaveLength(30);
    expect(month.slice(0, 29).every((d) => d.runs === 0 && d.avgDurationMs === null)).toBe(true);
  }, 120_000);

  it('refuses a range other than 7 or 30 days, and an unknown spider', async () => {
    const r = await a.api.get(`/api/spiders/${ok}/stats?days=5`);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/7 or 30/);
    expect((await a.api.get('/api/spiders/0123456789abcdef01234567/stats')).status).toBe(404);
  });
});
