import { TestCluster, Master } from './support/cluster';
import { HookReceiver } from './support/notify-receivers';
import { waitFor } from './support/wait';

const TASKS = 200;

/**
 * Exactly one delivery per event and channel with two master replicas fanning out and
 * sending from one outbox: 200 failing tasks created through both replicas, a plain rule
 * (one message per failure) and a throttled one (one digest per window).
 */
describe('notifications across two replicas', () => {
  const cluster = new TestCluster('notify-replicas');
  let m1: Master;
  let m2: Master;
  let hooks: HookReceiver;
  const env = { CRAWLNEST_NOTIFY_POLL_MS: '100', CRAWLNEST_NOTIFY_RETRY_BASE_MS: '300' };

  beforeAll(async () => {
    hooks = await HookReceiver.start();
    [m1, m2] = await Promise.all([cluster.startMaster(env), cluster.startMaster(env)]);
    await cluster.startWorker({ masters: [m1], name: 'rw1', env: { CRAWLNEST_MAX_RUNNERS: '8' } });
    await cluster.startWorker({ masters: [m2], name: 'rw2', env: { CRAWLNEST_MAX_RUNNERS: '8' } });
    await cluster.waitNodeReady(m1.api, 'rw1');
    await cluster.waitNodeReady(m1.api, 'rw2');
  });
  afterAll(async () => {
    await cluster.stop();
    await hooks.close();
  });

  it(`${TASKS} failing tasks: one signed delivery per task on the plain channel, each failure in exactly one digest`, async () => {
    hooks.secret('/each', 'each-secret');
    hooks.secret('/digest', 'digest-secret');
    const each = (await m1.api.post('/api/notifications/channels', { name: 'each', type: 'webhook', config: { url: hooks.url('/each') }, secrets: { secret: 'each-secret' } })).body.id;
    const digest = (await m2.api.post('/api/notifications/channels', { name: 'digest', type: 'webhook', config: { url: hooks.url('/digest') }, secrets: { secret: 'digest-secret' } })).body.id;
    const spiderId = (await m1.api.post('/api/spiders', { name: 'fails', cmd: 'echo broken >&2; exit 1' })).body.id;
    expect((await m1.api.post('/api/notifications/rules', { name: 'each', spiderIds: [spiderId], events: [{ type: 'task.error' }], channelIds: [each] })).status).toBe(201);
    expect((await m2.api.post('/api/notifications/rules', { name: 'digest', spiderIds: [spiderId], events: [{ type: 'task.error' }], channelIds: [digest], throttle: { windowSeconds: 10 } })).status).toBe(201);
    // Both replicas' rule caches (2 s) have the rules before the first close.
    await waitFor('rules listed on both replicas', async () => (await m2.api.get('/api/notifications/rules')).body.length === 2 && (await m1.api.get('/api/notifications/rules')).body.length === 2);
    await new Promise((r) => setTimeout(r, 2500));
    const ids: string[] = [];
    for (let i = 0; i < TASKS; i += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, (_, j) => ((i + j) % 2 ? m2 : m1).api.post('/api/tasks', { spiderId })));
      ids.push(...batch.map((r) => r.body.tasks[0].id as string));
    }
    const t0 = Date.now();
    await waitFor(`${TASKS} deliveries on /each`, () => hooks.on('/each').length >= TASKS || undefined, 240_000, 200);
    process.stdout.write(`notify-replicas: ${TASKS} failure deliveries in ${Date.now() - t0} ms after the last create\n`);
    await waitFor('every failure in a digest', () => {
      const n = hooks.on('/digest').reduce((a, x) => a + x.body.events.length, 0);
      return n >= TASKS || undefined;
    }, 60_000, 200);
    // Late duplicates would come within a poll or two: a sentinel delivery through both replicas' loops first.
    const test = await m2.api.post(`/api/notifications/channels/${each}/test`);
    expect(test.body.ok).toBe(true);
    const plain = hooks.on('/each').filter((x) => x.body.type === 'task.error');
    expect(plain.every((x) => x.signatureOk)).toBe(true);
    expect(new Set(plain.map((x) => x.headers['x-crawlnest-delivery'])).size).toBe(plain.length);
    expect(plain.map((x) => x.body.event.task.id).sort()).toEqual([...ids].sort());
    const digests = hooks.on('/digest');
    expect(digests.every((x) => x.signatureOk && x.body.type === 'digest')).toBe(true);
    expect(new Set(digests.map((x) => x.headers['x-crawlnest-delivery'])).size).toBe(digests.length);
    const inDigests = digests.flatMap((x) => x.body.events.map((e: { task: { id: string } }) => e.task.id));
    expect(inDigests.sort()).toEqual([...ids].sort());
    // One digest per 10 s window: no more digests than windows the failures spanned.
    const windows = new Set(digests.map((x) => String(x.headers['x-crawlnest-delivery']).split(':').pop()));
    expect(windows.size).toBe(digests.length);
    process.stdout.write(`notify-replicas: ${digests.length} digest(s) for ${TASKS} failures\n`);
  }, 400_000);
});
