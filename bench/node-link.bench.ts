import { Benchmark, Figure, percentile } from './bench-kit';
import { TestCluster } from '../test/support/cluster';
import { TcpProxy } from '../test/support/tcp-proxy';
import { waitFor } from '../test/support/wait';

const CYCLES = 20;
const KILLS = 10;

type Node = { id: string; name: string; status: string; taskReady: boolean };

/** Link restore → taskReady through a TCP proxy, and SIGKILL → offline, default timings. */
const bench: Benchmark = {
  name: `node link (1 master, 1 worker; ${CYCLES} cut/restore cycles per mode, ${KILLS} SIGKILLs)`,
  async run(): Promise<Figure[]> {
    const cluster = new TestCluster('bench-link');
    const proxies: TcpProxy[] = [];
    try {
      const m = await cluster.startMaster();
      const node = async (name: string) => (await m.api.get<Node[]>('/api/nodes')).body.find((n) => n.name === name);
      const figures: Figure[] = [];
      for (const mode of ['blackhole', 'reset'] as const) {
        const proxy = await TcpProxy.start(m.grpcPort);
        proxies.push(proxy);
        const name = `link-${mode}`;
        await cluster.startWorker({ masters: [proxy.address], name });
        await cluster.waitNodeReady(m.api, name);
        const toOffline: number[] = [];
        const toReady: number[] = [];
        const connectToReady: number[] = [];
        for (let i = 0; i < CYCLES; i++) {
          const cutAt = Date.now();
          if (mode === 'blackhole') proxy.blackhole();
          else proxy.reset();
          await waitFor('offline while cut', async () => (await node(name))?.status === 'offline', 10_000, 10);
          toOffline.push(Date.now() - cutAt);
          // A reset is seen at once; stay cut for a second so the worker is in real backoff.
          if (mode === 'reset') await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - cutAt))));
          const restoredAt = Date.now();
          proxy.restore();
          await waitFor('online and taskReady after restore', async () => {
            const n = await node(name);
            return n?.status === 'online' && n.taskReady;
          }, 10_000, 10);
          const readyAt = Date.now();
          toReady.push(readyAt - restoredAt);
          // The worker's next connection: a new one accepted after the restore, or the held one.
          const connectedAt = proxy.forwardedAcceptsAt.find((t) => t >= restoredAt) ?? restoredAt;
          connectToReady.push(readyAt - connectedAt);
        }
        figures.push(
          { name: `${mode}: restore → taskReady p50`, value: percentile(toReady, 50), unit: 'ms', goal: '< 1000 ms' },
          { name: `${mode}: restore → taskReady p99`, value: percentile(toReady, 99), unit: 'ms', goal: '< 1000 ms' },
          { name: `${mode}: worker's next connection → taskReady p50`, value: percentile(connectToReady, 50), unit: 'ms', goal: '< 1000 ms' },
          { name: `${mode}: worker's next connection → taskReady p99`, value: percentile(connectToReady, 99), unit: 'ms', goal: '< 1000 ms' },
          { name: `${mode}: cut → offline p50`, value: percentile(toOffline, 50), unit: 'ms', goal: mode === 'blackhole' ? '< 3000 ms (node timeout 2500 ms)' : undefined },
          { name: `${mode}: cut → offline p99`, value: percentile(toOffline, 99), unit: 'ms', goal: mode === 'blackhole' ? '< 3000 ms (node timeout 2500 ms)' : undefined },
        );
      }
      const killToOffline: number[] = [];
      for (let i = 0; i < KILLS; i++) {
        const name = `victim-${i}`;
        const w = await cluster.startWorker({ masters: [m], name });
        await cluster.waitNodeReady(m.api, name);
        const killedAt = Date.now();
        w.proc.kill('SIGKILL');
        await waitFor('offline after SIGKILL', async () => (await node(name))?.status === 'offline', 10_000, 10);
        killToOffline.push(Date.now() - killedAt);
      }
      figures.push(
        { name: 'SIGKILL → offline p50', value: percentile(killToOffline, 50), unit: 'ms', goal: '< 3000 ms' },
        { name: 'SIGKILL → offline p99', value: percentile(killToOffline, 99), unit: 'ms', goal: '< 3000 ms' },
      );
      return figures;
    } finally {
      await cluster.stop();
      for (const p of proxies) await p.close();
    }
  },
};

export default bench;
