import { Master, TestCluster } from './support/cluster';
import { NodeView } from './support/node-views';
import { waitFor } from './support/wait';

/**
 * No lost updates (docs/consistency.md): a user's PATCH of a node, schedule or spider is never
 * undone by a concurrent system write (heartbeats, the node cache reload merge, tick bookkeeping,
 * uploads). Each round PATCHes every document once while the system writers are busy on them,
 * then checks every value on both replicas, again after a system write cycle, and at the end.
 */

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `read` shows every expected value, then checks it still does `holdMs` later. */
async function persisted<T>(what: string, read: () => Promise<T[]>, expected: T[], holdMs: number): Promise<void> {
  await waitFor(what, async () => JSON.stringify(await read()) === JSON.stringify(expected), 8000, 100);
  await pause(holdMs);
  expect(await read()).toEqual(expected);
}

describe('no lost updates: 200 PATCHes per collection against heartbeats, ticks and uploads', () => {
  const cluster = new TestCluster('lost-updates');
  let a: Master;
  let b: Master;
  const replicas = () => [a, b];
  const via = (i: number) => replicas()[i % 2];

  beforeAll(async () => {
    // Heartbeats every 200 ms, coalesced node writes every second, cache reloads every 300 ms:
    // busy system writers, with a node timeout a loaded 2-core machine does not trip.
    const env = { CRAWLNEST_HEARTBEAT_MS: '200', CRAWLNEST_NODE_TIMEOUT_MS: '2000', CRAWLNEST_NODE_RELOAD_MS: '300' };
    [a, b] = await Promise.all([cluster.startMaster(env), cluster.startMaster(env)]);
  });
  afterAll(() => cluster.stop());

  it('nodes: 4 live workers, 25 rounds of 2 PATCHes each (labels/maxRunners/enabled), every edit persists on both replicas', async () => {
    const names = ['lu-w1', 'lu-w2', 'lu-w3', 'lu-w4'];
    for (const [i, name] of names.entries()) await cluster.startWorker({ masters: [via(i)], name });
    const ids: string[] = [];
    for (const name of names) ids.push(await cluster.waitNodeReady(a.api, name, 30_000));
    const want = (k: number, i: number) => ({ labels: { n: `${k}-${i}`, 'topology.zone': `z${k % 3}` }, maxRunners: 1 + ((k + i) % 9), enabled: (k + i) % 2 === 0 });
    const read = (m: Master) => async () => {
      const all = (await m.api.get<NodeView[]>('/api/nodes')).body as (NodeView & { enabled: boolean })[];
      return ids.map((id) => {
        const n = all.find((x) => x.id === id);
        return n ? { labels: n.labels, maxRunners: n.maxRunners, enabled: n.enabled } : null;
      });
    };
    let patches = 0;
    for (let k = 0; k < 50; k++) {
      const expected = ids.map((_, i) => want(k, i));
      await Promise.all(
        ids.map(async (id, i) => {
          const r = await via(k + i).api.patch<NodeView & { enabled: boolean }>(`/api/nodes/${id}`, expected[i]);
          expect(r.status).toBe(200);
          expect({ labels: r.body.labels, maxRunners: r.body.maxRunners, enabled: r.body.enabled }).toEqual(expected[i]);
          patches++;
        }),
      );
      // Two PATCHes per node and round (the first one lands right before the second's system writes).
      if (k % 2 === 0) continue;
      // Every few rounds, hold long enough for a coalesced heartbeat write and a reload on each replica.
      const hold = k % 10 === 9 ? 1200 : 0;
      await Promise.all(replicas().map((m) => persisted(`round ${k} on ${m.name}`, read(m), expected, hold)));
    }
    expect(patches).toBe(200);
    await pause(3000);
    const last = ids.map((_, i) => want(49, i));
    for (const m of replicas()) expect(await read(m)()).toEqual(last);
    // Heartbeats kept flowing the whole time: the nodes are still online and fresh.
    const views = (await a.api.get<NodeView[]>('/api/nodes')).body.filter((n) => ids.includes(n.id));
    expect(views.every((n) => n.status === 'online' && Date.now() - new Date(n.lastHeartbeatAt ?? 0).getTime() < 3000)).toBe(true);
    // The next cases create tasks; no worker should spend the machine's two cores running them.
    await Promise.all(cluster.workers.map((w) => w.proc.stop()));
  });

  it('schedules: 20 every-second schedules on 2 replicas, 10 rounds of PATCHes just before ticks, every edit persists', async () => {
    const spiderId = (await a.api.post<{ id: string }>('/api/spiders', { name: 'lu-sched', cmd: 'true' })).body.id;
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await via(i).api.post<{ id: string }>('/api/schedules', { spiderId, cron: '* * * * * *', enabled: true });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    type S = { priority: number; param: string | null; labels: Record<string, string>; enabled: boolean; timezone: string };
    const want = (k: number, i: number): S => ({ priority: 1 + ((k + i) % 10), param: `p${k}-${i}`, labels: { r: String(k) }, enabled: (k + i) % 3 !== 0, timezone: k % 2 ? 'Europe/Berlin' : 'UTC' });
    const read = (m: Master) => async () => {
      const all = (await m.api.get<(S & { id: string })[]>('/api/schedules')).body;
      return ids.map((id) => {
        const s = all.find((x) => x.id === id);
        return s ? { priority: s.priority, param: s.param, labels: s.labels, enabled: s.enabled, timezone: s.timezone } : null;
      });
    };
    let patches = 0;
    for (let k = 0; k < 10; k++) {
      // Aim at 30 ms before the next second boundary: the tick lands right after the PATCH.
      await pause((1970 - (Date.now() % 1000)) % 1000);
      const expected = ids.map((_, i) => want(k, i));
      await Promise.all(
        ids.map(async (id, i) => {
          const r = await via(k + i).api.patch<S>(`/api/schedules/${id}`, expected[i]);
          expect(r.status).toBe(200);
          patches++;
        }),
      );
      // Every third round, hold past the next tick before the following PATCH.
      await Promise.all(replicas().map((m) => persisted(`round ${k} on ${m.name}`, read(m), expected, k % 3 === 2 ? 1100 : 0)));
    }
    expect(patches).toBe(200);
    await pause(3000);
    for (const m of replicas()) expect(await read(m)()).toEqual(ids.map((_, i) => want(9, i)));
    await Promise.all(ids.map((id) => a.api.patch(`/api/schedules/${id}`, { enabled: false })));
  });

  it('spiders: 20 spiders, 10 rounds of a PATCH racing an upload of the same spider, every edit and every version persists', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await via(i).api.post<{ id: string }>('/api/spiders', { name: `lu-${i}`, cmd: 'true' })).body.id);
    type S = { name: string; cmd: string; param: string; description: string; version: number };
    const want = (k: number, i: number) => ({ name: `lu-${i}-${k}`, cmd: `echo ${k}`, param: `--k ${k}`, description: `round ${k} of ${i}` });
    const read = (m: Master) => async () => {
      const all = (await m.api.get<(S & { id: string })[]>('/api/spiders')).body;
      return ids.map((id) => {
        const s = all.find((x) => x.id === id);
        return s ? { name: s.name, cmd: s.cmd, param: s.param, description: s.description, version: s.version } : null;
      });
    };
    let patches = 0;
    for (let k = 0; k < 10; k++) {
      await Promise.all(
        ids.map(async (id, i) => {
          // The upload's version write comes after its content is stored: start it first, then PATCH.
          const upload = via(k + i + 1).api.putFiles(`/api/spiders/${id}/files`, { 'main.sh': `echo ${k} ${i}\n` });
          await pause(5);
          const r = await via(k + i).api.patch(`/api/spiders/${id}`, want(k, i));
          expect(r.status).toBe(200);
          patches++;
          expect((await upload).status).toBe(200);
        }),
      );
      const expected = ids.map((_, i) => ({ ...want(k, i), version: k + 1 }));
      await Promise.all(replicas().map((m) => persisted(`round ${k} on ${m.name}`, read(m), expected, 0)));
    }
    expect(patches).toBe(200);
    await pause(3000);
    for (const m of replicas()) expect(await read(m)()).toEqual(ids.map((_, i) => ({ ...want(9, i), version: 10 })));
  });
});
