import { Master, TestCluster } from './support/cluster';
import { HookReceiver } from './support/notify-receivers';
import { waitFor } from './support/wait';

/**
 * schedule.missed: a tick that cannot create its task (mode all-nodes with no node online)
 * raises one event, delivered once, naming the schedule and the reason; the ticks that did
 * not come yet raise nothing.
 */
describe('notifications: schedule.missed', () => {
  const cluster = new TestCluster('notifications-schedule-missed');
  let m: Master;
  let hooks: HookReceiver;

  beforeAll(async () => {
    hooks = await HookReceiver.start();
    m = await cluster.startMaster();
  }, 120_000);

  afterAll(async () => {
    await cluster.stop();
    await hooks?.close();
  });

  it('a tick that could not create its task fires schedule.missed once, with the reason', async () => {
    hooks.secret('/missed', 'missed-secret');
    const ch = await m.api.post('/api/notifications/channels', { name: 'missed', type: 'webhook', config: { url: hooks.url('/missed') }, secrets: { secret: 'missed-secret' } });
    expect(ch.status).toBe(201);
    const rule = await m.api.post('/api/notifications/rules', { name: 'missed ticks', events: [{ type: 'schedule.missed' }], channelIds: [ch.body.id] });
    expect(rule.status).toBe(201);
    const spiderId = (await m.api.post('/api/spiders', { name: 'missed-spider', cmd: 'true' })).body.id as string;
    // One tick, 8 s from now (second and minute fixed: the next one is an hour later).
    const at = new Date(Date.now() + 8000);
    const cron = `${at.getUTCSeconds()} ${at.getUTCMinutes()} * * * *`;
    const sched = await m.api.post('/api/schedules', { spiderId, cron, timezone: 'UTC', mode: 'all-nodes', enabled: true });
    expect(sched.status).toBe(201);

    const [hit] = await waitFor('the schedule.missed delivery', () => (hooks.on('/missed').length ? hooks.on('/missed') : undefined), 40_000, 100);
    expect(hit.signatureOk).toBe(true);
    expect(hit.headers['x-crawlnest-event']).toBe('schedule.missed');
    const event = (hit.body as { event: { type: string; schedule: { id: string; tick: string; error: string } } }).event;
    expect(event.type).toBe('schedule.missed');
    expect(event.schedule.id).toBe(sched.body.id);
    expect(Math.abs(Date.parse(event.schedule.tick) - Math.floor(at.getTime() / 1000) * 1000)).toBeLessThan(1000);
    expect(event.schedule.error).toMatch(/no online enabled node/);
    // Once: nothing more arrives (the record shows one delivery, sent at the first attempt).
    const deadline = Date.now() + 6000;
    await waitFor('a quiet period', () => (Date.now() > deadline ? true : undefined), 10_000, 200);
    expect(hooks.on('/missed')).toHaveLength(1);
    const d = await m.api.get('/api/notifications/deliveries?status=sent');
    const missed = d.body.filter((x: { eventType: string }) => x.eventType === 'schedule.missed');
    expect(missed).toHaveLength(1);
    expect(missed[0].attempts).toBe(1);
    // No task was created by the failed tick.
    expect((await m.api.get(`/api/tasks?spiderId=${spiderId}`)).body.total ?? 0).toBe(0);
  });
});
