import { Master, TestCluster } from './support/cluster';
import { nodeEvents, nodesNamed, NodeView } from './support/node-views';
import { waitFor } from './support/wait';

const RELOAD_MS = 1000;
/** A reload is one query; allow it this long on a busy 2-core machine, plus the poll step. */
const RELOAD_SLACK_MS = 700;

/** Two master replicas on one database: each one's node cache sees the other's nodes and edits. */
describe('node cache across two master replicas', () => {
  const cluster = new TestCluster('node-replicas');
  let a: Master;
  let b: Master;
  let id: string;
  beforeAll(async () => {
    const env = { CRAWLNEST_NODE_RELOAD_MS: String(RELOAD_MS) };
    a = await cluster.startMaster(env);
    b = await cluster.startMaster(env);
  });
  afterAll(() => cluster.stop());

  it('a worker on replica A is listed online and taskReady by replica B within one reload interval', async () => {
    await cluster.startWorker({ masters: [a], name: 'on-a' });
    id = await cluster.waitNodeReady(a.api, 'on-a', 20_000);
    const seenOnA = Date.now();
    const onB = await waitFor('B lists the node online and taskReady', async () => {
      const [n] = await nodesNamed(b.api, 'on-a');
      return n?.status === 'online' && n.taskReady ? n : undefined;
    }, 5000, 20);
    const took = Date.now() - seenOnA;
    console.log(`A online → B lists it: ${took} ms (reload ${RELOAD_MS} ms)`);
    expect(took).toBeLessThan(RELOAD_MS + RELOAD_SLACK_MS);
    expect(onB).toMatchObject({ id, connectedReplica: 'master1' });
  });

  it('B keeps showing the node online across its reloads while it heartbeats on A', async () => {
    const seen: string[] = [];
    const until = Date.now() + 3 * RELOAD_MS;
    while (Date.now() < until) {
      seen.push((await b.api.get<NodeView>(`/api/nodes/${id}`)).body.status);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.every((s) => s === 'online')).toBe(true);
  });

  it('labels and maxRunners changed through B are seen by A within one reload interval', async () => {
    const patched = await b.api.patch<NodeView>(`/api/nodes/${id}`, { labels: { 'topology.zone': 'eu-2' }, maxRunners: 3 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ labels: { 'topology.zone': 'eu-2' }, maxRunners: 3, status: 'online' });
    const changedAt = Date.now();
    await waitFor('A sees the new labels', async () => {
      const n = (await a.api.get<NodeView>(`/api/nodes/${id}`)).body;
      return n.labels['topology.zone'] === 'eu-2' && n.maxRunners === 3;
    }, 5000, 20);
    const took = Date.now() - changedAt;
    console.log(`PATCH on B → seen on A: ${took} ms`);
    expect(took).toBeLessThan(RELOAD_MS + RELOAD_SLACK_MS);
    // The worker's next heartbeats on A must not undo the edit.
    expect((await a.api.get<NodeView[]>('/api/nodes?label=topology.zone:eu-2')).body.map((n) => n.id)).toEqual([id]);
  });

  it('a node killed on A and deleted through B disappears from A; its worker restarted registers once', async () => {
    const w = cluster.workers.find((x) => x.name === 'on-a');
    if (!w) throw new Error('worker on-a not started');
    w.proc.kill('SIGKILL');
    await waitFor('B sees the node offline', async () => (await b.api.get<NodeView>(`/api/nodes/${id}`)).body.status === 'offline', 5000);
    expect((await b.api.delete(`/api/nodes/${id}`)).status).toBe(204);
    const deletedAt = Date.now();
    await waitFor('A no longer lists it', async () => (await nodesNamed(a.api, 'on-a')).length === 0, 5000, 20);
    expect(Date.now() - deletedAt).toBeLessThan(RELOAD_MS + RELOAD_SLACK_MS);
    expect((await a.api.get(`/api/nodes/${id}`)).status).toBe(404);
    await cluster.startWorker({ masters: [a], name: 'on-a', workspace: w.workspace });
    const again = await cluster.waitNodeReady(a.api, 'on-a');
    expect(again).not.toBe(id);
    await waitFor('B lists exactly the new node', async () => {
      const ns = await nodesNamed(b.api, 'on-a');
      return ns.length === 1 && ns[0].id === again && ns[0].status === 'online';
    }, 5000);
  });
  it("B shows A's node heartbeating, from A's lease: A writes no node row for its heartbeats", async () => {
    const before = await nodeEvents(a.api);
    const stamps = new Set<string>();
    const until = Date.now() + 4 * RELOAD_MS;
    while (Date.now() < until) {
      const [n] = await nodesNamed(b.api, 'on-a');
      expect(n.status).toBe('online');
      // Heartbeat 1 s, lease every 625 ms, reload 1 s: the view is at most about 3 s behind.
      expect(Date.now() - new Date(n.lastHeartbeatAt ?? 0).getTime()).toBeLessThan(3500);
      stamps.add(n.lastHeartbeatAt ?? '');
      await new Promise((r) => setTimeout(r, 200));
    }
    const after = await nodeEvents(a.api);
    console.log(`B saw ${stamps.size} heartbeat times in 4 s; A wrote ${after.dbWrites - before.dbWrites} node rows and ${after.leaseWrites - before.leaseWrites} lease renewals`);
    expect(stamps.size).toBeGreaterThanOrEqual(2);
    expect(after.dbWrites - before.dbWrites).toBe(0);
    expect(after.leaseWrites - before.leaseWrites).toBeGreaterThan(0);
  });

  it("A SIGKILLed: B sets A's node offline once A's lease is stale (4.25 s), not before; A restarted under the same id gets it back", async () => {
    const [n] = await nodesNamed(b.api, 'on-a');
    const before = await nodeEvents(b.api);
    a.proc.kill('SIGKILL');
    await a.proc.exited;
    const killedAt = Date.now();
    await waitFor('B sees the node offline', async () => (await b.api.get<NodeView>(`/api/nodes/${n.id}`)).body.status === 'offline', 15_000, 50);
    const took = Date.now() - killedAt;
    console.log(`A SIGKILLed → B shows its node offline: ${took} ms (lease stale after 4250 ms, sweep 1 s, reload ${RELOAD_MS} ms)`);
    // The last renewal came at most 625 ms before the kill.
    expect(took).toBeGreaterThanOrEqual(4250 - 625 - 100);
    expect(took).toBeLessThan(4250 + 1000 + RELOAD_MS + 2500);
    expect((await nodeEvents(b.api)).offline.replicaSilent).toBeGreaterThan(before.offline.replicaSilent);
    await cluster.restartMaster(a);
    await waitFor('the node online again on A, for both replicas', async () => {
      const [onA] = await nodesNamed(a.api, 'on-a');
      const [onB] = await nodesNamed(b.api, 'on-a');
      return onA?.status === 'online' && onB?.status === 'online' && onB.connectedReplica === 'master1';
    }, 20_000);
  });

  it("a replica restarted under the same id sets offline the nodes of its previous life that did not come back (their worker died with it), without waiting for another replica", async () => {
    await b.proc.stop();
    const w2 = await cluster.startWorker({ masters: [a], name: 'dies-with-a' });
    const id2 = await cluster.waitNodeReady(a.api, 'dies-with-a');
    w2.proc.kill('SIGKILL');
    a.proc.kill('SIGKILL');
    await Promise.all([w2.proc.exited, a.proc.exited]);
    const killedAt = Date.now();
    await cluster.restartMaster(a);
    const up = Date.now();
    await waitFor('the dead worker offline on the restarted A', async () => (await a.api.get<NodeView>(`/api/nodes/${id2}`)).body.status === 'offline', 10_000, 50);
    console.log(`A restarted (${up - killedAt} ms) → its previous life's dead node offline: ${Date.now() - up} ms`);
    expect((await nodesNamed(a.api, 'on-a'))[0].status).toBe('online');
  });
  it('two masters given the same CRAWLNEST_REPLICA_ID by mistake keep each other\'s nodes online (each process has its own lease)', async () => {
    const twin = await cluster.startMaster({ CRAWLNEST_NODE_RELOAD_MS: String(RELOAD_MS), CRAWLNEST_REPLICA_ID: 'master1' });
    await cluster.startWorker({ masters: [twin], name: 'on-twin' });
    await cluster.waitNodeReady(twin.api, 'on-twin');
    await waitFor('both masters list both nodes', async () => {
      for (const m of [a, twin]) for (const name of ['on-a', 'on-twin']) if ((await nodesNamed(m.api, name))[0]?.status !== 'online') return false;
      return true;
    }, 5000);
    const before = await nodeEvents(a.api);
    const seen: string[] = [];
    const until = Date.now() + 5000;
    while (Date.now() < until) {
      for (const m of [a, twin]) for (const name of ['on-a', 'on-twin']) seen.push(`${(await nodesNamed(m.api, name))[0]?.status}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect([...new Set(seen)]).toEqual(['online']);
    const after = await nodeEvents(a.api);
    expect(after.offline.streamClosed + after.offline.replicaSilent).toBe(before.offline.streamClosed + before.offline.replicaSilent);
  });
});
