import { Master, TestCluster } from './support/cluster';
import { nodeEvents, NodeView } from './support/node-views';
import { waitFor } from './support/wait';

/** Liveness with the default settings (heartbeat 1 s, node timeout 2.5 s). */
describe('node liveness with default timings', () => {
  const cluster = new TestCluster('node-liveness');
  let master: Master;
  beforeAll(async () => {
    master = await cluster.startMaster();
  });
  afterAll(() => cluster.stop());

  const node = async (id: string) => (await master.api.get<NodeView>(`/api/nodes/${id}`)).body;

  it('heartbeats carry running count and resource use, and cost no database write of their own (only the replica lease, once per interval)', async () => {
    await cluster.startWorker({ masters: [master], name: 'beating' });
    const id = await cluster.waitNodeReady(master.api, 'beating');
    const first = await node(id);
    const before = await nodeEvents(master.api);
    const n = await waitFor('a heartbeat with resources and a later lastHeartbeatAt', async () => {
      const v = await node(id);
      return v.resources && v.lastHeartbeatAt !== first.lastHeartbeatAt ? v : undefined;
    }, 5000);
    expect(n.runningTasks).toBe(0);
    expect(n.resources?.diskFreeBytes).toBeGreaterThan(0);
    expect(n.resources?.memoryBytes).toBeGreaterThan(0);
    expect(n.resources?.cpuPercent).toBeGreaterThanOrEqual(0);
    const after = await waitFor('ten more heartbeats', async () => {
      const e = await nodeEvents(master.api);
      return e.heartbeats - before.heartbeats >= 10 ? e : undefined;
    }, 20_000, 200);
    const beats = after.heartbeats - before.heartbeats;
    const writes = after.dbWrites - before.dbWrites;
    const leases = after.leaseWrites - before.leaseWrites;
    const secs = (after.sinceMs - before.sinceMs) / 1000;
    console.log(`heartbeat cost: ${beats} heartbeats, ${writes} node writes, ${leases} lease renewals in ${secs.toFixed(1)} s`);
    // A ready, idle node changes nothing: its heartbeats travel in the lease (renewed every
    // node timeout / 4 = 625 ms by default, whatever the number of nodes).
    expect(writes).toBe(0);
    expect(leases).toBeGreaterThan(0);
    expect(leases).toBeLessThanOrEqual(Math.ceil(secs / 0.625) + 2);
  });

  it('a worker stalled for one heartbeat interval with its stream open stays online', async () => {
    const w = await cluster.startWorker({ masters: [master], name: 'stalled' });
    const id = await cluster.waitNodeReady(master.api, 'stalled');
    const before = await node(id);
    const eventsBefore = await nodeEvents(master.api);
    w.proc.kill('SIGSTOP');
    const statuses: string[] = [];
    const stallEnds = Date.now() + 1200; // one heartbeat interval plus the beat it would have sent
    try {
      while (Date.now() < stallEnds) {
        statuses.push((await node(id)).status);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      w.proc.kill('SIGCONT');
    }
    await waitFor('a heartbeat after the stall', async () => (await node(id)).lastHeartbeatAt !== before.lastHeartbeatAt, 5000);
    const after = await node(id);
    expect(statuses.length).toBeGreaterThan(5);
    expect(statuses.every((s) => s === 'online')).toBe(true);
    expect(after).toMatchObject({ status: 'online', taskReady: true, activeAt: before.activeAt, offlineAt: before.offlineAt });
    expect((await nodeEvents(master.api)).offline).toEqual(eventsBefore.offline);
  });

  it('a SIGKILLed worker is offline within the node timeout + 1 s, with the transition stored and counted', async () => {
    const w = await cluster.startWorker({ masters: [master], name: 'killed' });
    const id = await cluster.waitNodeReady(master.api, 'killed');
    const eventsBefore = await nodeEvents(master.api);
    const killedAt = Date.now();
    w.proc.kill('SIGKILL');
    const off = await waitFor('node offline', async () => {
      const v = await node(id);
      return v.status === 'offline' ? v : undefined;
    }, 5000, 20);
    const took = Date.now() - killedAt;
    console.log(`SIGKILL → offline: ${took} ms`);
    expect(took).toBeLessThan(2500 + 1000);
    expect(off.taskReady).toBe(false);
    expect(new Date(off.offlineAt as string).getTime()).toBeGreaterThanOrEqual(killedAt - 5);
    expect(new Date(off.activeAt as string).getTime()).toBeLessThan(killedAt);
    const e = await nodeEvents(master.api);
    expect(e.offline.streamClosed + e.offline.heartbeatTimeout).toBe(
      eventsBefore.offline.streamClosed + eventsBefore.offline.heartbeatTimeout + 1,
    );
  });
});
