import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

type Node = { id: string; name: string; status: string; taskReady: boolean; offlineAt: string | null };

describe('node identity and liveness (foundation level)', () => {
  const cluster = new TestCluster('node-basics');
  let master: Master;
  beforeAll(async () => {
    master = await cluster.startMaster({ CRAWLNEST_NODE_TIMEOUT_MS: '2000' });
  });
  afterAll(() => cluster.stop());

  it('a restarted worker updates its node instead of creating a second one', async () => {
    const w = await cluster.startWorker({ masters: [master], name: 'stable' });
    const id = await cluster.waitNodeReady(master.api, 'stable');
    await w.proc.stop();
    await waitFor('node offline after stop', async () => (await master.api.get<Node>(`/api/nodes/${id}`)).body.status === 'offline');
    await cluster.startWorker({ masters: [master], name: 'stable', workspace: w.workspace });
    expect(await cluster.waitNodeReady(master.api, 'stable')).toBe(id);
    const nodes = (await master.api.get<Node[]>('/api/nodes')).body.filter((n) => n.name === 'stable');
    expect(nodes).toHaveLength(1);
  });

  it('a SIGKILLed worker is offline within the node timeout + 1 s, and its node can then be deleted', async () => {
    const w = await cluster.startWorker({ masters: [master], name: 'victim' });
    const id = await cluster.waitNodeReady(master.api, 'victim');
    expect((await master.api.delete(`/api/nodes/${id}`)).status).toBe(409); // online: refused
    const killedAt = Date.now();
    w.proc.kill('SIGKILL');
    await waitFor('node offline', async () => (await master.api.get<Node>(`/api/nodes/${id}`)).body.status === 'offline', 3000);
    expect(Date.now() - killedAt).toBeLessThan(3000);
    const n = (await master.api.get<Node>(`/api/nodes/${id}`)).body;
    expect(n).toMatchObject({ taskReady: false });
    expect(n.offlineAt).not.toBeNull();
    expect((await master.api.delete(`/api/nodes/${id}`)).status).toBe(204);
    expect((await master.api.get(`/api/nodes/${id}`)).status).toBe(404);
  });

  it('a disabled node gets no task until it is enabled again', async () => {
    await cluster.startWorker({ masters: [master], name: 'toggle' });
    const id = await cluster.waitNodeReady(master.api, 'toggle');
    expect((await master.api.patch(`/api/nodes/${id}`, { enabled: false, labels: { 'topology.zone': 'eu-1' } })).body).toMatchObject({ enabled: false, labels: { 'topology.zone': 'eu-1' } });
    const spiderId = (await master.api.post('/api/spiders', { name: 's', cmd: 'true' })).body.id;
    const t = (await master.api.post('/api/tasks', { spiderId, mode: 'selected-nodes', nodeIds: [id] })).body.tasks[0];
    // Other dispatch passes happen every 500 ms; give them a few chances to (wrongly) assign it.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await master.api.get(`/api/tasks/${t.id}`)).body.status).toBe('pending');
    await master.api.patch(`/api/nodes/${id}`, { enabled: true });
    await waitFor('task finished after enabling', async () => (await master.api.get(`/api/tasks/${t.id}`)).body.status === 'finished', 10_000);
  });
});
