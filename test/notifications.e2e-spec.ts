import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mongo } from 'mongoose';
import { Master, TestCluster } from './support/cluster';
import { HookReceiver, MailReceiver, Received } from './support/notify-receivers';
import { cliEnv, runCli } from './support/cli-process';
import { runTask } from './support/results-helpers';
import { taskEnded } from './support/spider-tree';
import { waitFor } from './support/wait';
import { dbCommands } from './support/db-commands';
import { threadsCpu } from './support/proc-stat';

const { MongoClient } = mongo;
const FAKE_NODE = '0123456789abcdef01234567';
const items = (n: number) => `for i in $(seq 1 ${n}); do echo '{"type":"data","payload":{"i":'$i'},"ipc":true}'; done`;

/**
 * Notifications end to end: a real master and worker, real receivers on 127.0.0.1 (an HTTP
 * server checking every signature, an SMTP server from npm), each event kind, retries,
 * timeouts, throttling, and a master killed between an event and its delivery.
 */
describe('notifications', () => {
  const cluster = new TestCluster('notifications');
  let m: Master;
  let hooks: HookReceiver;
  let holdFile: string;

  const channel = async (path: string, secret?: string, extra: Record<string, unknown> = {}): Promise<string> => {
    const r = await m.api.post('/api/notifications/channels', { name: path, type: 'webhook', config: { url: hooks.url(path), ...extra }, ...(secret ? { secrets: { secret } } : {}) });
    expect(r.status).toBe(201);
    if (secret) hooks.secret(path, secret);
    return r.body.id;
  };
  const rule = async (body: Record<string, unknown>): Promise<string> => {
    const r = await m.api.post('/api/notifications/rules', { name: 'r', ...body });
    expect(r.status).toBe(201);
    return r.body.id;
  };
  const spider = async (name: string, cmd = 'echo ok'): Promise<string> => (await m.api.post('/api/spiders', { name, cmd })).body.id;
  const run = async (spiderId: string, cmd: string, extra: Record<string, unknown> = {}) => {
    const id = await runTask(m.api, spiderId, { cmd, ...extra });
    return taskEnded(m.api, id);
  };
  const got = (path: string, n: number, timeoutMs = 20_000) => waitFor(`${n} request(s) on ${path}`, () => (hooks.on(path).length >= n ? hooks.on(path) : undefined), timeoutMs, 50);
  const types = (rs: Received[]) => rs.map((r) => r.body.type);

  beforeAll(async () => {
    hooks = await HookReceiver.start();
    holdFile = join(cluster.dir, 'hold-notifications');
    m = await cluster.startMaster({
      CRAWLNEST_NOTIFY_RETRY_BASE_MS: '300',
      CRAWLNEST_NOTIFY_TIMEOUT_MS: '3000',
      CRAWLNEST_NOTIFY_POLL_MS: '100',
      CRAWLNEST_PUBLIC_URL: 'https://crawlnest.example.com',
      CRAWLNEST_TEST_NOTIFY_HOLD_FILE: holdFile,
      CRAWLNEST_ORPHAN_GRACE_MS: '4000',
      CRAWLNEST_FENCE_MS: '0',
    });
    await cluster.startWorker({ masters: [m], name: 'nw1' });
    await cluster.waitNodeReady(m.api, 'nw1');
  });
  afterAll(async () => {
    await cluster.stop();
    await hooks.close();
  });

  it('bad channels and rules get a 400 with the reason; the API never returns a secret, nor does the master log it', async () => {
    const SECRET = 'whsec-never-shown-7f3a9c';
    const bad = await m.api.post('/api/notifications/channels', { name: 'x', type: 'webhook', config: {} });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('config.url');
    expect((await m.api.post('/api/notifications/channels', { name: 'x', type: 'pager', config: {} })).status).toBe(400);
    const created = await m.api.post('/api/notifications/channels', { name: 'sec', type: 'webhook', config: { url: hooks.url('/sec') }, secrets: { secret: SECRET } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ hasSecret: true, hasPassword: false });
    expect(created.text).not.toContain(SECRET);
    expect((await m.api.get('/api/notifications/channels')).text).not.toContain(SECRET);
    expect((await m.api.get(`/api/notifications/channels/${created.body.id}`)).text).not.toContain(SECRET);
    hooks.secret('/sec', SECRET);
    const test = await m.api.post(`/api/notifications/channels/${created.body.id}/test`);
    expect(test.body).toMatchObject({ ok: true, responseCode: 200 });
    expect(hooks.on('/sec')[0]).toMatchObject({ signatureOk: true, body: { type: 'test' } });
    const patched = await m.api.patch(`/api/notifications/channels/${created.body.id}`, { secrets: { secret: SECRET + '2' } });
    expect(patched.text).not.toContain(SECRET);
    expect((await m.api.post('/api/notifications/rules', { name: 'r', events: [{ type: 'task.results_below' }], channelIds: [created.body.id] })).status).toBe(400);
    expect((await m.api.post('/api/notifications/rules', { name: 'r', events: [{ type: 'task.finished' }], channelIds: [FAKE_NODE] })).status).toBe(400);
    expect((await m.api.post('/api/notifications/rules', { name: 'r', events: [{ type: 'task.nope' }], channelIds: [created.body.id] })).status).toBe(400);
    const docs = (await m.api.get('/api/docs-json')).body ?? {};
    if (docs.paths) expect(Object.keys(docs.paths)).toEqual(expect.arrayContaining(['/api/notifications/channels', '/api/notifications/rules', '/api/notifications/deliveries']));
    expect(m.proc.output()).not.toContain(SECRET);
    await m.api.delete(`/api/notifications/channels/${created.body.id}`);
  });

  it('finished, error and cancelled each fire once, signed, for the rule\'s spider only; failures carry the log tail and links', async () => {
    const SECRET = 'whsec-events-1';
    const ch = await channel('/events', SECRET);
    const a = await spider('notify-a');
    const b = await spider('notify-b');
    const r = await rule({ spiderIds: [a], events: [{ type: 'task.finished' }, { type: 'task.error' }, { type: 'task.cancelled' }], channelIds: [ch] });
    await run(b, 'echo fail >&2; exit 4'); // another spider: ignored
    const ok = await run(a, 'echo fine');
    const failed = await run(a, 'echo out; echo err-line-1 >&2; echo err-line-2 >&2; exit 3');
    const long = await runTask(m.api, a, { cmd: 'sleep 30' });
    await waitFor('long task running', async () => (await m.api.get(`/api/tasks/${long}`)).body.status === 'running');
    expect((await m.api.post(`/api/tasks/${long}/cancel`)).status).toBeLessThan(300);
    const rs = await got('/events', 3);
    expect(types(rs).sort()).toEqual(['task.cancelled', 'task.error', 'task.finished']);
    for (const x of rs) {
      expect(x.signatureOk).toBe(true);
      expect(x.headers['x-crawlnest-event']).toBe(x.body.type);
      expect(x.headers['x-crawlnest-delivery']).toBe(x.body.deliveryId);
      expect(x.body.event.task.spiderId).toBe(a);
    }
    const err = rs.find((x) => x.body.type === 'task.error')!.body.event;
    expect(err.task).toMatchObject({ id: failed.id, status: 'error', exitCode: 3, spiderName: 'notify-a', nodeName: 'nw1' });
    expect(err.logTail).toEqual(expect.arrayContaining(['err-line-1', 'err-line-2']));
    expect(err.links.task).toBe(`https://crawlnest.example.com/tasks/${failed.id}`);
    expect(rs.find((x) => x.body.type === 'task.finished')!.body.event.task.id).toBe(ok.id);
    // Recorded right after the receiver answered.
    const ds = await waitFor('3 deliveries recorded sent', async () => {
      const list = (await m.api.get(`/api/notifications/deliveries?ruleId=${r}`)).body as { status: string; attempts: number }[];
      return list.length === 3 && list.every((d) => d.status === 'sent') ? list : undefined;
    });
    expect(ds.every((d) => d.attempts === 1)).toBe(true);
    // The POSTs were made by the master's sender thread, below its main thread's priority.
    const nices = new Map(threadsCpu(m.proc.pid).map((t) => [t.tid, t.nice]));
    expect(nices.get(m.proc.pid)).toBe(0);
    expect([...nices.values()]).toContain(10);
    await m.api.delete(`/api/notifications/rules/${r}`);
  });

  it('a receiver answering 500, then 503 with Retry-After: 1, then 200 gets three attempts with one delivery id', async () => {
    hooks.script('/flaky', [{ status: 500 }, { status: 503, headers: { 'retry-after': '1' } }, { status: 200 }]);
    const ch = await channel('/flaky', 'flaky-secret');
    const s = await spider('notify-flaky');
    const r = await rule({ spiderIds: [s], events: [{ type: 'task.finished' }], channelIds: [ch] });
    await run(s, 'echo ok');
    const rs = await got('/flaky', 3);
    expect(new Set(rs.map((x) => x.headers['x-crawlnest-delivery'])).size).toBe(1);
    expect(rs.every((x) => x.signatureOk)).toBe(true);
    expect(rs[2].at - rs[1].at).toBeGreaterThanOrEqual(900); // Retry-After honoured
    const d = await waitFor('delivery sent', async () => (await m.api.get(`/api/notifications/deliveries?channelId=${ch}`)).body.find((x: { status: string }) => x.status === 'sent'));
    expect(d).toMatchObject({ id: rs[0].headers['x-crawlnest-delivery'], attempts: 3, responseCode: 200, status: 'sent' });
    await m.api.delete(`/api/notifications/rules/${r}`);
  });

  it('a hanging receiver times out and is retried; other channels and dispatch are not slowed', async () => {
    hooks.script('/hang', ['hang']);
    const hang = await channel('/hang', undefined, { timeoutMs: 1500 });
    const fast = await channel('/fast');
    const s = await spider('notify-hang');
    const r = await rule({ spiderIds: [s], events: [{ type: 'task.finished' }], channelIds: [hang, fast] });
    const t = await run(s, 'echo ok');
    const [f] = await got('/fast', 1, 5000);
    expect(f.at - Date.parse((await m.api.get(`/api/tasks/${t.id}`)).body.finishedAt)).toBeLessThan(1500);
    expect(hooks.on('/hang')).toHaveLength(1); // hanging now
    // A task created while the receiver hangs starts at once.
    const quick = await runTask(m.api, await spider('notify-quick'), { cmd: 'echo quick' });
    const started = await waitFor('quick task started', async () => {
      const v = (await m.api.get(`/api/tasks/${quick}`)).body;
      return v.startedAt ? v : undefined;
    });
    expect(Date.parse(started.startedAt) - Date.parse(started.createdAt)).toBeLessThan(1500);
    const rs = await got('/hang', 2, 15_000);
    expect(rs[0].headers['x-crawlnest-delivery']).toBe(rs[1].headers['x-crawlnest-delivery']);
    const d = await waitFor('hang delivery sent', async () =>
      (await m.api.get(`/api/notifications/deliveries?channelId=${hang}`)).body.find((x: { id: string; status: string }) => x.id === rs[0].headers['x-crawlnest-delivery'] && x.status === 'sent'),
    );
    expect(d.attempts).toBe(2);
    await taskEnded(m.api, quick);
    await m.api.delete(`/api/notifications/rules/${r}`);
  });

  it('email over SMTP with auth: subject, text and HTML; the password is never returned', async () => {
    const PASSWORD = 'smtp-pass-never-shown-42';
    const mail = await MailReceiver.start('crawler', PASSWORD);
    try {
      const created = await m.api.post('/api/notifications/channels', {
        name: 'mail',
        type: 'email',
        config: { host: '127.0.0.1', port: mail.port, security: 'none', username: 'crawler', from: 'crawlnest@example.com', to: ['oncall@example.com'] },
        secrets: { password: PASSWORD },
      });
      expect(created.status).toBe(201);
      expect(created.text).not.toContain(PASSWORD);
      expect(created.body.hasPassword).toBe(true);
      const s = await spider('notify-mail');
      const r = await rule({ spiderIds: [s], events: [{ type: 'task.error' }], channelIds: [created.body.id] });
      const t = await run(s, 'echo boom >&2; exit 2');
      const got1 = await waitFor('a mail', () => mail.mails[0], 20_000);
      expect(got1).toMatchObject({ from: 'crawlnest@example.com', to: ['oncall@example.com'], user: 'crawler' });
      expect(got1.raw).toMatch(/Subject: \[Crawlnest\] Task of notify-mail failed \(exit 2\)/);
      expect(got1.raw).toContain('text/plain');
      expect(got1.raw).toContain('text/html');
      expect(got1.raw).toContain(`tasks/${t.id}`);
      expect(got1.raw).toMatch(/X-Crawlnest-Delivery:\s+task:/);
      expect((await m.api.get('/api/notifications/channels')).text).not.toContain(PASSWORD);
      expect(m.proc.output()).not.toContain(PASSWORD);
      await m.api.delete(`/api/notifications/rules/${r}`);
    } finally {
      await mail.close();
    }
  });

  it('results_below (min and the median of the last runs) and log_errors_above fire only when the run falls short', async () => {
    const ch = await channel('/monitors');
    const s = await spider('notify-items');
    const median = await rule({ name: 'median', spiderIds: [s], events: [{ type: 'task.results_below', belowMedianPercent: 50, ofLastRuns: 3 }], channelIds: [ch] });
    const min = await rule({ name: 'min', spiderIds: [s], events: [{ type: 'task.results_below', min: 5 }], channelIds: [ch] });
    const logs = await rule({ name: 'logs', spiderIds: [s], events: [{ type: 'task.log_errors_above', count: 2 }], channelIds: [ch] });
    for (let i = 0; i < 3; i++) await run(s, items(10));
    const low = await run(s, items(2)); // under 5, and under 50 % of the median 10
    await run(s, `${items(8)}; echo e1 >&2`); // 8: fine on both; one stderr line: fine
    const noisy = await run(s, `${items(10)}; echo e1 >&2; echo e2 >&2; echo e3 >&2`);
    const rs = await got('/monitors', 3);
    const byType = (t: string) => rs.filter((x) => x.body.type === t);
    expect(byType('task.results_below')).toHaveLength(2);
    for (const x of byType('task.results_below')) expect(x.body.event.task.id).toBe(low.id);
    const conds = byType('task.results_below').map((x) => x.body.event.condition);
    expect(conds).toEqual(expect.arrayContaining([{ resultCount: 2, min: 5 }, { resultCount: 2, median: 10, belowMedianPercent: 50, ofLastRuns: 3 }]));
    expect(byType('task.log_errors_above')).toHaveLength(1);
    expect(byType('task.log_errors_above')[0].body.event).toMatchObject({ task: { id: noisy.id }, condition: { errorLines: 3, count: 2 } });
    // One more run that fires on nothing is followed by one that fires: nothing came in between.
    await run(s, items(9));
    // One item stored and one refused (a payload that is no object): the counts the worker's
    // Finished report carries, which the event takes without reading the task's ledgers.
    await run(s, `${items(1)}; echo '{"type":"data","payload":[7],"ipc":true}'`);
    const after = await got('/monitors', 5);
    expect(after.slice(3).every((x) => x.body.type === 'task.results_below' && x.body.event.task.resultCount === 1 && x.body.event.task.resultErrors === 1)).toBe(true);
    for (const id of [median, min, logs]) await m.api.delete(`/api/notifications/rules/${id}`);
  });

  it('running_longer fires once while the task runs; pending_longer fires with the pending reason', async () => {
    const ch = await channel('/slow');
    const s = await spider('notify-slow');
    const r = await rule({ spiderIds: [s], events: [{ type: 'task.running_longer', seconds: 2 }, { type: 'task.pending_longer', seconds: 2 }], channelIds: [ch] });
    const id = await runTask(m.api, s, { cmd: 'sleep 5' });
    const [x] = await got('/slow', 1, 15_000);
    expect(x.body).toMatchObject({ type: 'task.running_longer', event: { task: { id, status: 'running' }, condition: { seconds: 2 } } });
    expect((await m.api.get(`/api/tasks/${id}`)).body.status).toBe('running');
    await taskEnded(m.api, id);
    const stuck = await runTask(m.api, s, { cmd: 'echo never', labels: { pool: 'none-has-this' } });
    const rs = await got('/slow', 2, 15_000);
    expect(rs[1].body).toMatchObject({ type: 'task.pending_longer', event: { task: { id: stuck, status: 'pending' } } });
    expect(typeof rs[1].body.event.task.pendingReason).toBe('string');
    await m.api.post(`/api/tasks/${stuck}/cancel`);
    await taskEnded(m.api, stuck);
    expect(hooks.on('/slow')).toHaveLength(2);
    await m.api.delete(`/api/notifications/rules/${r}`);
  });

  it('a worker killed: node.offline and task.abnormal; back: node.online (admins\' global rule)', async () => {
    const ch = await channel('/nodes');
    const r = await rule({ events: [{ type: 'node.offline' }, { type: 'node.online' }, { type: 'task.abnormal' }], channelIds: [ch] });
    const w = await cluster.startWorker({ masters: [m], name: 'nw2' });
    const nodeId = await cluster.waitNodeReady(m.api, 'nw2');
    const ofNw2 = () => hooks.on('/nodes').filter((x) => x.body.event?.node?.name === 'nw2' || x.body.event?.task?.nodeName === 'nw2' || x.body.event?.task?.nodeId === nodeId);
    await waitFor('nw2 online event', () => ofNw2().some((x) => x.body.type === 'node.online'), 15_000);
    const s = await spider('notify-abnormal');
    const id = await runTask(m.api, s, { cmd: 'sleep 60', mode: 'selected-nodes', nodeIds: [nodeId], maxRetries: 0 });
    await waitFor('task running on nw2', async () => (await m.api.get(`/api/tasks/${id}`)).body.status === 'running');
    w.proc.kill('SIGKILL');
    await w.proc.exited;
    await waitFor('offline and abnormal events', () => ofNw2().some((x) => x.body.type === 'node.offline') && ofNw2().some((x) => x.body.type === 'task.abnormal'), 40_000);
    await cluster.startWorker({ masters: [m], name: 'nw2', workspace: w.workspace });
    await waitFor('second online event', () => ofNw2().filter((x) => x.body.type === 'node.online').length === 2, 20_000);
    const kinds = ofNw2().map((x) => x.body.type);
    expect(kinds.filter((k) => k === 'node.offline')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'task.abnormal')).toHaveLength(1);
    expect(ofNw2().find((x) => x.body.type === 'task.abnormal')!.body.event.task.id).toBe(id);
    await m.api.delete(`/api/notifications/rules/${r}`);
  });

  it('a throttled rule sends one digest per window for a burst of failures', async () => {
    const ch = await channel('/digest', 'digest-secret');
    const s = await spider('notify-burst');
    const r = await rule({ spiderIds: [s], events: [{ type: 'task.error' }], channelIds: [ch], throttle: { windowSeconds: 10 } });
    const ids = await Promise.all(Array.from({ length: 6 }, () => runTask(m.api, s, { cmd: 'exit 1' })));
    for (const id of ids) await taskEnded(m.api, id);
    const [d] = await got('/digest', 1, 30_000);
    expect(d.signatureOk).toBe(true);
    expect(d.body.type).toBe('digest');
    // A burst may straddle two windows: then two digests, together holding each failure once.
    const settle = Date.now() + 12_000;
    const all = await waitFor('every failure in a digest', () => {
      const evs = hooks.on('/digest').flatMap((x) => x.body.events.map((e: { task: { id: string } }) => e.task.id));
      return evs.length >= ids.length || Date.now() > settle ? evs : undefined;
    }, 30_000);
    expect([...all].sort()).toEqual([...ids].sort());
    expect(hooks.on('/digest').length).toBeLessThanOrEqual(2);
    // A window that caught one failure of the burst reads as that one failure.
    expect(d.body.title).toMatch(d.body.events.length > 1 ? /tasks of notify-burst failed in the last 0?\.?\d* ?(s|minutes)/ : /Task of notify-burst failed/);
    await m.api.delete(`/api/notifications/rules/${r}`);
  });

  it('a delivery refused for good is marked failed and can be retried by hand with the same id', async () => {
    hooks.script('/gone', [{ status: 404 }]);
    const ch = await channel('/gone');
    const s = await spider('notify-gone');
    const r = await rule({ spiderIds: [s], events: [{ type: 'task.finished' }], channelIds: [ch] });
    await run(s, 'echo ok');
    const d = await waitFor('failed delivery', async () => (await m.api.get(`/api/notifications/deliveries?channelId=${ch}&status=failed`)).body[0]);
    expect(d).toMatchObject({ attempts: 1, responseCode: 404, lastError: 'HTTP 404' });
    expect((await m.api.post(`/api/notifications/deliveries/${encodeURIComponent(d.id)}/retry`)).status).toBe(200);
    const rs = await got('/gone', 2);
    expect(rs[1].headers['x-crawlnest-delivery']).toBe(d.id);
    await waitFor('sent after retry', async () => (await m.api.get(`/api/notifications/deliveries?channelId=${ch}&status=sent`)).body[0]);
    await m.api.delete(`/api/notifications/rules/${r}`);
  });

  it('an event sent to three channels is stored once: each channel\'s delivery reads whole, a retry resends the event, a record of the old shape reads', async () => {
    const paths = ['/once-a', '/once-b', '/once-c'];
    for (const p of paths) hooks.script(p, [{ status: 404 }]);
    const chs: string[] = [];
    for (const p of paths) chs.push(await channel(p));
    const s = await spider('notify-once');
    const r = await rule({ spiderIds: [s], events: [{ type: 'task.finished' }], channelIds: chs });
    await run(s, 'echo ok');
    const views = await Promise.all(chs.map((ch) => waitFor(`failed delivery on ${ch}`, async () => (await m.api.get(`/api/notifications/deliveries?channelId=${ch}`)).body[0])));
    // Each channel's answer is whole (filtered by channel: the record holding the event is read apart), in the same shape as before.
    for (const v of views) {
      expect(v).toMatchObject({ eventType: 'task.finished', status: 'failed', eventCount: 1, summary: views[0].summary, spiderId: s });
      expect(v).not.toHaveProperty('eventsIn');
      expect(v).not.toHaveProperty('events');
    }
    expect(views[0].summary).toContain('notify-once');
    const client = new MongoClient(cluster.mongoUri);
    try {
      const col = client.db(cluster.dbName).collection<{ _id: string; events: unknown[]; eventsIn?: string }>('notify_deliveries');
      const stored = await Promise.all(views.map((v) => col.findOne({ _id: v.id })));
      // Settled together, the three records carry the event once (twice at most when the history batch is cut between them).
      const copies = stored.filter((d) => d && d.events.length > 0).length;
      expect(copies).toBeGreaterThanOrEqual(1);
      expect(copies).toBeLessThan(3);
      const slim = stored.find((d) => d && d.events.length === 0 && d.eventsIn);
      expect(slim).toBeTruthy();
      // A retry of a record without its own copy sends the event again, with the same delivery id.
      const slimAt = views.findIndex((v) => v.id === slim!._id);
      const slimPath = paths[slimAt];
      expect((await m.api.post(`/api/notifications/deliveries/${encodeURIComponent(slim!._id)}/retry`)).status).toBe(200);
      const rs = await got(slimPath, 2);
      expect(rs[1].headers['x-crawlnest-delivery']).toBe(slim!._id);
      expect(rs[1].body.event).toEqual(rs[0].body.event);
      expect(rs[1].body.event.task.spiderId).toBe(s);
      await waitFor('sent after retry', async () => (await m.api.get(`/api/notifications/deliveries?channelId=${chs[slimAt]}&status=sent`)).body[0]);
      // A record written before events were stored once (the event on every record) reads as it did.
      const old = { ...(await col.findOne({ _id: views[0].id })), events: [rs[0].body.event] } as Record<string, unknown>;
      delete old.eventsIn;
      await client.db(cluster.dbName).collection('notify_deliveries').replaceOne({ _id: views[0].id } as never, old as never);
      const listed = (await m.api.get(`/api/notifications/deliveries?channelId=${views[0].channelId}`)).body.find((d: { id: string }) => d.id === old._id);
      expect(listed).toMatchObject({ eventCount: 1, summary: views[0].summary, status: views[0].id === slim!._id ? 'sent' : 'failed' });
    } finally {
      await client.close();
    }
    await m.api.delete(`/api/notifications/rules/${r}`);
  });

  it('the CLI adds a channel and a rule, tests the channel and lists deliveries', async () => {
    const env = cliEnv(cluster.dir, { CRAWLNEST_URL: `http://127.0.0.1:${m.httpPort}`, CRAWLNEST_TOKEN: cluster.apiToken, CRAWLNEST_NOTIFY_SECRET: 'cli-secret-xyz' });
    hooks.secret('/cli', 'cli-secret-xyz');
    const ch = await runCli(['notify', 'channels', 'add', 'cli hook', '--type', 'webhook', '--url', hooks.url('/cli'), '--json'], env);
    expect(ch.code).toBe(0);
    const channelId = JSON.parse(ch.stdout).id as string;
    expect(ch.stdout).not.toContain('cli-secret-xyz');
    await spider('notify-cli');
    const r = await runCli(['notify', 'rules', 'add', 'cli rule', '--event', 'task.results_below:min=3', '--event', 'task.error', '--channel', channelId, '--spider', 'notify-cli', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ events: [{ type: 'task.results_below', min: 3 }, { type: 'task.error' }], channelIds: [channelId] });
    const t = await runCli(['notify', 'channels', 'test', channelId], env);
    expect(t.code).toBe(0);
    expect(hooks.on('/cli')[0].signatureOk).toBe(true);
    const ls = await runCli(['notify', 'deliveries', 'ls', '--channel', channelId, '--json'], env);
    expect(JSON.parse(ls.stdout)[0]).toMatchObject({ eventType: 'test', status: 'sent' });
    expect((await runCli(['notify', 'rules', 'add', 'bad', '--event', 'task.error:oops', '--channel', channelId], env)).code).toBe(2);
    expect((await runCli(['notify', 'rules', 'rm', JSON.parse(r.stdout).id], env)).code).toBe(0);
  });

  it('the outbox is read at most every 2 s, the due list at every poll (100 ms here): facts reach the notifier in memory', async () => {
    const before = await dbCommands(m);
    await new Promise((res) => setTimeout(res, 5000));
    const after = await dbCommands(m);
    const reads = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
    expect(reads('find notify_due')).toBeGreaterThanOrEqual(20);
    expect(reads('find notify_outbox')).toBeLessThanOrEqual(4);
  });

  it('a master SIGKILLed after a task closed and before its delivery delivers it after restart, once', async () => {
    const ch = await channel('/durable', 'durable-secret');
    const s = await spider('notify-durable');
    const r = await rule({ spiderIds: [s], events: [{ type: 'task.finished' }], channelIds: [ch] });
    await waitFor('rule known to the close path', async () => (await m.api.get(`/api/notifications/rules/${r}`)).status === 200);
    await new Promise((res) => setTimeout(res, 2500)); // the close path's rule cache (2 s) has seen the rule
    writeFileSync(holdFile, 'hold');
    const t = await run(s, 'echo ok');
    await new Promise((res) => setTimeout(res, 500)); // the close's outbox write lands with the archive write; held, nothing is sent
    expect(hooks.on('/durable')).toHaveLength(0);
    m.env.CRAWLNEST_TEST_NOTIFY_HOLD_FILE = '';
    await cluster.restartMaster(m, 'SIGKILL');
    rmSync(holdFile, { force: true });
    const [x] = await got('/durable', 1, 30_000);
    expect(x.body.event.task.id).toBe(t.id);
    expect(x.signatureOk).toBe(true);
    // Another event after it: by the time it arrives, a duplicate of the first would have too.
    await cluster.waitNodeReady(m.api, 'nw1');
    await run(s, 'echo again');
    const rs = await got('/durable', 2, 30_000);
    expect(rs.filter((y) => y.body.event.task.id === t.id)).toHaveLength(1);
    expect(existsSync(holdFile)).toBe(false);
    await m.api.delete(`/api/notifications/rules/${r}`);
  });
});
