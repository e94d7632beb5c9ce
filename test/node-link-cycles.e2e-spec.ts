import { Master, TestCluster } from './support/cluster';
import { nodeEvents, nodesNamed, summary } from './support/node-views';
import { TcpProxy } from './support/tcp-proxy';
import { waitFor } from './support/wait';

const CYCLES = 20;

/**
 * The CLS-001 scenario of seed 000, repeated: the worker's link to the master is cut (by a
 * blackhole that keeps sockets open, or by resets) and restored. The node must be offline while
 * cut and online and task-ready right after the restore, always as the same single node.
 */
describe('node across link cuts (TCP proxy between worker and master)', () => {
  const cluster = new TestCluster('node-link');
  let master: Master;
  let proxy: TcpProxy;
  beforeAll(async () => {
    master = await cluster.startMaster();
    proxy = await TcpProxy.start(master.grpcPort);
  });
  afterAll(async () => {
    await cluster.stop();
    await proxy.close();
  });

  it(`${CYCLES} cut/restore cycles: offline while cut, online and taskReady soon after restore, never a duplicate node`, async () => {
    await cluster.startWorker({ masters: [proxy.address], name: 'flappy' });
    const id = await cluster.waitNodeReady(master.api, 'flappy');
    const onlineBefore = (await nodeEvents(master.api)).online;
    const toOffline: Record<'blackhole' | 'reset', number[]> = { blackhole: [], reset: [] };
    const toReady: Record<'blackhole' | 'reset', number[]> = { blackhole: [], reset: [] };
    for (let i = 0; i < CYCLES; i++) {
      const mode = i % 2 === 0 ? 'blackhole' : 'reset';
      const cutAt = Date.now();
      if (mode === 'blackhole') proxy.blackhole();
      else proxy.reset();
      await waitFor(`cycle ${i} (${mode}): node offline while cut`, async () => {
        const [n] = await nodesNamed(master.api, 'flappy');
        return n?.status === 'offline' && !n.taskReady;
      }, 5000, 20);
      toOffline[mode].push(Date.now() - cutAt);
      // A reset cut is noticed at once; keep it cut a while so the worker backs off for real.
      const minCut = mode === 'reset' ? 1000 : 0;
      if (Date.now() - cutAt < minCut) await new Promise((r) => setTimeout(r, minCut - (Date.now() - cutAt)));
      const restoredAt = Date.now();
      proxy.restore();
      const nodes = await waitFor(`cycle ${i} (${mode}): node online and taskReady after restore`, async () => {
        const ns = await nodesNamed(master.api, 'flappy');
        return ns.some((n) => n.status === 'online' && n.taskReady) ? ns : undefined;
      }, 5000, 20);
      toReady[mode].push(Date.now() - restoredAt);
      expect(nodes.map((n) => n.id)).toEqual([id]);
    }
    console.log(
      `link cycles: cut→offline blackhole ${JSON.stringify(summary(toOffline.blackhole))} reset ${JSON.stringify(summary(toOffline.reset))}; ` +
        `restore→taskReady blackhole ${JSON.stringify(summary(toReady.blackhole))} reset ${JSON.stringify(summary(toReady.reset))} ` +
        `(all ms: ${JSON.stringify(toReady)})`,
    );
    // A blackhole is only noticed by the heartbeat timeout (2.5 s, checked every 250 ms).
    expect(Math.max(...toOffline.blackhole)).toBeLessThan(2500 + 1000);
    expect(Math.max(...toOffline.reset)).toBeLessThan(1000);
    expect((await nodeEvents(master.api)).online - onlineBefore).toBe(CYCLES);
    expect(await nodesNamed(master.api, 'flappy')).toHaveLength(1);
  }, 240_000);
});
