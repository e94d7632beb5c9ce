import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

type Task = { id: string; scheduleId: string | null; scheduledFor: string | null; createdAt: string };
type Schedule = { id: string; enabled: boolean; timezone: string; catchUp: string; nextRunAt: string | null; nextRunTimes: string[]; lastRunAt: string | null };

async function scheduledTasks(m: Master, spiderId: string): Promise<Task[]> {
  const r = await m.api.get<{ items: Task[] }>(`/api/tasks?spiderId=${spiderId}&size=1000`);
  expect(r.status).toBe(200);
  return r.body.items.filter((t) => t.scheduleId !== null);
}

/** How many tasks each nominal tick created, by tick (epoch ms). */
function perTick(tasks: Task[], scheduleId: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of tasks) {
    if (t.scheduleId !== scheduleId || !t.scheduledFor) continue;
    const k = new Date(t.scheduledFor).getTime();
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

/** Keeps a process stopped (SIGSTOP) for `ms`, as a stalled VM or a long GC pause would. */
async function stall(pids: number[], ms: number): Promise<void> {
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  try {
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    for (const pid of pids) process.kill(pid, 'SIGCONT');
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('schedule ticks: nominal identity, stalled replicas, time zones, catch-up', () => {
  const cluster = new TestCluster('schedule-ticks');
  let a: Master;
  let b: Master;
  let spiderId: string;

  beforeAll(async () => {
    [a, b] = await Promise.all([cluster.startMaster(), cluster.startMaster()]);
    const s = await a.api.post<{ id: string }>('/api/spiders', { name: 'ticker', cmd: 'true' });
    expect(s.status).toBe(201);
    spiderId = s.body.id;
  });
  afterAll(() => cluster.stop());

  it('validates the zone, and shows the next fire times computed in it', async () => {
    const bad = await a.api.post('/api/schedules', { spiderId, cron: '0 9 * * *', timezone: 'Mars/Olympus' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('timezone');
    const badCatchUp = await a.api.post('/api/schedules', { spiderId, cron: '0 9 * * *', catchUp: 'all' });
    expect(badCatchUp.status).toBe(400);
    expect(badCatchUp.text).toContain('catchUp');
    const tokyo = await a.api.post<Schedule>('/api/schedules', { spiderId, cron: '0 9 * * *', timezone: 'Asia/Tokyo', enabled: true });
    expect(tokyo.status).toBe(201);
    expect(tokyo.body).toMatchObject({ timezone: 'Asia/Tokyo', catchUp: 'none' });
    expect(tokyo.body.nextRunTimes).toHaveLength(5);
    // 09:00 in Tokyo (UTC+9, no DST) is midnight UTC, one day apart.
    for (const t of tokyo.body.nextRunTimes) expect(t).toMatch(/T00:00:00\.000Z$/);
    expect(tokyo.body.nextRunAt).toBe(tokyo.body.nextRunTimes[0]);
    const disabled = await a.api.patch<Schedule>(`/api/schedules/${tokyo.body.id}`, { enabled: false });
    expect(disabled.body).toMatchObject({ enabled: false, nextRunAt: null, nextRunTimes: [] });
    const moved = await b.api.patch<Schedule>(`/api/schedules/${tokyo.body.id}`, { timezone: 'America/New_York', enabled: true });
    expect(moved.status).toBe(200);
    expect(moved.body.nextRunTimes[0]).toMatch(/T1[34]:00:00\.000Z$/); // 09:00 EST or EDT
    expect((await a.api.delete(`/api/schedules/${tokyo.body.id}`)).status).toBe(204);
  });

  it('replicas stalled 2 s (SIGSTOP) across ticks, one then the other then both: every nominal tick creates exactly one task', async () => {
    const s = await a.api.post<Schedule>('/api/schedules', { spiderId, cron: '* * * * * *', enabled: true });
    expect(s.status).toBe(201);
    const id = s.body.id;
    await waitFor('the schedule fires', async () => perTick(await scheduledTasks(a, spiderId), id).size >= 2, 20_000, 200);
    const from = Date.now();
    await stall([b.proc.pid], 2000);
    await pause(1200);
    await stall([a.proc.pid], 2000);
    await pause(1200);
    await stall([a.proc.pid, b.proc.pid], 2000);
    await pause(2500);
    const off = await a.api.patch<Schedule>(`/api/schedules/${id}`, { enabled: false });
    expect(off.status).toBe(200);
    const disabledAt = Date.now();
    // Long enough for a tick already claimed before the disable to finish, and for any
    // replica still firing after the disable to show itself.
    await pause(3000);
    const ticks = perTick(await scheduledTasks(b, spiderId), id);
    const doubles = [...ticks].filter(([, n]) => n !== 1);
    expect(doubles).toEqual([]);
    // Nothing after the disable settled.
    expect([...ticks.keys()].filter((t) => t > disabledAt)).toEqual([]);
    // No tick skipped: every second from before the first stall to the disable has its task.
    const first = Math.ceil(from / 1000) * 1000 - 1000;
    const expected: number[] = [];
    for (let t = first; t <= disabledAt - 1000; t += 1000) expected.push(t);
    const missing = expected.filter((t) => !ticks.has(t)).map((t) => new Date(t).toISOString());
    expect(missing).toEqual([]);
    console.log(`stalled-replica ticks: ${expected.length} nominal seconds, ${ticks.size} ticks fired, 0 doubles, 0 missing`);
    const view = (await a.api.get<Schedule>(`/api/schedules/${id}`)).body;
    expect(new Date(view.lastRunAt ?? 0).getTime()).toBe(Math.max(...ticks.keys()));
  });

  it('ticks missed while no master ran: none skips them, latest runs the newest once', async () => {
    const none = (await a.api.post<Schedule>('/api/schedules', { spiderId, cron: '* * * * * *', catchUp: 'none' })).body.id;
    const latest = (await a.api.post<Schedule>('/api/schedules', { spiderId, cron: '* * * * * *', catchUp: 'latest' })).body.id;
    await waitFor('both schedules fire', async () => {
      const tasks = await scheduledTasks(a, spiderId);
      return perTick(tasks, none).size >= 2 && perTick(tasks, latest).size >= 2;
    }, 20_000, 200);
    b.proc.kill('SIGKILL');
    a.proc.kill('SIGKILL');
    await Promise.all([a.proc.exited, b.proc.exited]);
    const killedAt = Date.now();
    await pause(3000); // no master runs for 3 s: at least two ticks are missed
    await cluster.restartMaster(a, 'SIGKILL');
    const firstAfter = await waitFor('the none schedule fires again', async () => {
      const after = [...perTick(await scheduledTasks(a, spiderId), none).keys()].filter((t) => t > killedAt + 1000);
      return after.length > 0 ? Math.min(...after) : undefined;
    }, 30_000, 200);
    await pause(1500);
    const tasks = await scheduledTasks(a, spiderId);
    const inGap = (sid: string) => [...perTick(tasks, sid).keys()].filter((t) => t > killedAt + 1000 && t < firstAfter);
    expect(firstAfter - killedAt).toBeGreaterThan(3000);
    expect(inGap(none)).toEqual([]);
    expect(inGap(latest)).toHaveLength(1);
    expect([...perTick(tasks, latest).values()].every((n) => n === 1)).toBe(true);
    for (const sid of [none, latest]) await a.api.patch(`/api/schedules/${sid}`, { enabled: false });
  });
});
