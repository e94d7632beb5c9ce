import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FerretDbServer, startFerretDb } from './support/ferretdb-server';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

type TaskBody = { id: string; status: string; attempt: number; error: string | null };

const CRASH_POINTS = ['after-dispatch-claim', 'mid-queue-move', 'after-close-claim', 'mid-archive-move'] as const;
const TERMINAL = ['finished', 'error', 'cancelled', 'abnormal'];

/**
 * The database SIGKILLed at chosen points of multi-step changes (right after a dispatch
 * claim, between a dispatched task's insert into `tasks` and its delete from the queue,
 * right after a close claim, between the archive insert and the open-task delete),
 * then restarted on the same data. The master holds each point (test hook, crash-point.ts)
 * until this suite has killed the database, so the next step runs into the outage there.
 * Its own FerretDB: killing the run's shared one would take down every other suite.
 */
describe('database crash between the steps of a change', () => {
  let db: FerretDbServer;
  let cluster: TestCluster;
  let m: Master;
  let crashDir: string;

  const killDb = async (): Promise<void> => {
    db.process.kill('SIGKILL');
    await new Promise<void>((res) => (db.process.exitCode !== null || db.process.signalCode !== null ? res() : db.process.once('exit', () => res())));
  };

  beforeAll(async () => {
    db = await startFerretDb();
    cluster = new TestCluster('db-crash', db.uri);
    crashDir = join(cluster.dir, 'crash-points');
    m = await cluster.startMaster({
      CRAWLNEST_TEST_CRASH_POINTS: CRASH_POINTS.join(','),
      CRAWLNEST_TEST_CRASH_DIR: crashDir,
      CRAWLNEST_ACK_TIMEOUT_MS: '3000',
    });
    await cluster.startWorker({ masters: [m], name: 'dbc', env: { CRAWLNEST_MAX_RUNNERS: '3' } });
    await cluster.waitNodeReady(m.api, 'dbc');
  });
  afterAll(async () => {
    await cluster.stop();
    db.process.kill('SIGKILL');
    rmSync(db.dir, { recursive: true, force: true });
  });

  it('every task ends, none stranded, the database back in seconds, no slot counted twice', async () => {
    const ran = join(cluster.dir, 'ran.txt');
    const spiderId = (await m.api.post('/api/spiders', { name: 'dbc', cmd: `echo "$CRAWLNEST_TASK_ID" >> "${ran}"; echo "out $CRAWLNEST_TASK_ID"; sleep 0.3` })).body.id;
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await m.api.post('/api/tasks', { spiderId, maxRetries: 3 })).body.tasks[0].id);

    const cut = new Set<string>();
    while (cut.size < CRASH_POINTS.length) {
      // A point is reached only by work still to do: should the tasks all be past it (CI once
      // waited 60 s for one), fresh tasks bring dispatches, moves and closes, checked like the rest.
      let lastWork = Date.now();
      const reached = await waitFor('the master reaching a crash point', async () => {
        const at = CRASH_POINTS.filter((p) => !cut.has(p) && existsSync(join(crashDir, p)));
        if (at.length > 0) return at;
        if (Date.now() - lastWork > 10_000 && ids.length < 30) {
          lastWork = Date.now();
          for (let i = 0; i < 3; i++) ids.push((await m.api.post('/api/tasks', { spiderId, maxRetries: 3 })).body.tasks[0].id);
          console.log(`db-crash: no crash point for 10 s (cut: ${[...cut].join(', ') || 'none'}); 3 more tasks, ${ids.length} in all`);
        }
        return undefined;
      }, 60_000, 20);
      await killDb();
      for (const p of reached) {
        cut.add(p);
        rmSync(join(crashDir, p)); // the master goes on, into the outage
      }
      // The outage outlasts the driver's server selection (5 s) and mongoose's command
      // buffer (10 s), so the held step really fails instead of waiting for the database.
      await new Promise((r) => setTimeout(r, 11_000));
      const down = Date.now();
      db = await startFerretDb({ dir: db.dir, port: db.port });
      // Serves again within seconds, without a restart.
      await waitFor('health ok after the database came back', async () => (await m.api.get('/api/health')).status === 200, 15_000, 100);
      await waitFor('a task readable after the database came back', async () => (await m.api.get(`/api/tasks/${ids[0]}`)).status === 200, 15_000, 100);
      expect(Date.now() - down).toBeLessThan(15_000);
    }

    const ended = await waitFor('every task ended', async () => {
      const all = await Promise.all(ids.map(async (id) => (await m.api.get<TaskBody>(`/api/tasks/${id}`)).body));
      return all.every((t) => TERMINAL.includes(t.status)) ? all : undefined;
    }, 90_000, 500);
    expect(ended.filter((t) => t.status !== 'finished')).toEqual([]);
    // A move cut by the outage can leave a stale queue copy of a task that went on and ended; the
    // dispatcher deletes it when its pool next meets it (a claim check, or the 30 s resync), so
    // the counts settle within that: waited for, not read once.
    const stats = await waitFor('open counts settled', async () => {
      const s = (await m.api.get('/api/stats')).body;
      return s.tasks.pending === 0 && s.tasks.assigned === 0 && s.tasks.running === 0 ? s : undefined;
    }, 60_000, 500).catch(async () => (await m.api.get('/api/stats')).body);
    expect(stats.tasks).toMatchObject({ pending: 0, assigned: 0, running: 0 });
    const ranIds = new Set(readFileSync(ran, 'utf8').trim().split('\n'));
    for (const id of ids) expect(ranIds.has(id)).toBe(true);
    // Log lines reported across the outages were delivered, each once.
    for (const id of ids) {
      const page = (await m.api.get<{ lines: { text: string }[] }>(`/api/tasks/${id}/logs?after=0&limit=100`)).body;
      expect(page.lines.map((l) => l.text)).toEqual([`out ${id}`]);
    }

    // No slot is held by a run the worker does not have: 3 slots, 3 long tasks, all run at once.
    const longId = (await m.api.post('/api/spiders', { name: 'dbc-long', cmd: 'sleep 4' })).body.id;
    const longIds: string[] = [];
    for (let i = 0; i < 3; i++) longIds.push((await m.api.post('/api/tasks', { spiderId: longId })).body.tasks[0].id);
    await waitFor('3 tasks running at once on the 3 slots', async () => {
      const s = await Promise.all(longIds.map(async (id) => (await m.api.get<TaskBody>(`/api/tasks/${id}`)).body.status));
      return s.every((x) => x === 'running');
    }, 20_000, 100);
  }, 170_000);
});
