import { TestCluster } from './support/cluster';
import { nodesNamed, NodeView } from './support/node-views';
import { freePort, waitFor } from './support/wait';

/** Workers come back on their own after a master restart, and move to the next master address. */
describe('node failover between masters', () => {
  const cluster = new TestCluster('node-failover');
  afterAll(() => cluster.stop());

  it('a restarted master gets its workers back without help, as the same node', async () => {
    const m = await cluster.startMaster();
    await cluster.startWorker({ masters: [m], name: 'loyal' });
    const id = await cluster.waitNodeReady(m.api, 'loyal');
    m.proc.kill('SIGKILL');
    await m.proc.exited;
    const again = await cluster.startMaster({}, { httpPort: m.httpPort, grpcPort: m.grpcPort });
    const upAt = Date.now();
    expect(await cluster.waitNodeReady(again.api, 'loyal', 10_000)).toBe(id);
    console.log(`restarted master healthy → worker online and taskReady: ${Date.now() - upAt} ms`);
    expect(await nodesNamed(again.api, 'loyal')).toHaveLength(1);
    await again.proc.stop();
  });

  it('with CRAWLNEST_MASTER=A,B the workers of a killed A move to B', async () => {
    const a = await cluster.startMaster();
    const b = await cluster.startMaster();
    await cluster.startWorker({ masters: [a, b], name: 'mover' });
    const id = await cluster.waitNodeReady(a.api, 'mover');
    expect((await a.api.get<NodeView>(`/api/nodes/${id}`)).body.connectedReplica).toBe(a.proc.name);
    const killedAt = Date.now();
    a.proc.kill('SIGKILL');
    const n = await waitFor('B holds the node, online and taskReady', async () => {
      const v = (await b.api.get<NodeView>(`/api/nodes/${id}`)).body;
      return v.status === 'online' && v.taskReady && v.connectedReplica === b.proc.name ? v : undefined;
    }, 10_000, 20);
    console.log(`A killed → node online on B: ${Date.now() - killedAt} ms`);
    expect(n.id).toBe(id);
    expect(await nodesNamed(b.api, 'mover')).toHaveLength(1);
  });

  it('a worker whose first master address is down starts on the next one', async () => {
    const b = cluster.masters[cluster.masters.length - 1];
    const dead = `127.0.0.1:${await freePort()}`;
    await cluster.startWorker({ masters: [dead, b], name: 'second-choice' });
    const id = await cluster.waitNodeReady(b.api, 'second-choice', 10_000);
    expect((await b.api.get<NodeView>(`/api/nodes/${id}`)).body.connectedReplica).toBe(b.proc.name);
  });
});
