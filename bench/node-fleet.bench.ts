import { Benchmark, Figure } from './bench-kit';
import { cpuSeconds, rssBytes } from './proc-usage';
import { WorkerSimulator } from './worker-simulator';
import { TestCluster } from '../test/support/cluster';
import { waitFor } from '../test/support/wait';

const WORKERS = Number(process.env.CRAWLNEST_BENCH_FLEET_WORKERS ?? 200);
const SECONDS = Number(process.env.CRAWLNEST_BENCH_FLEET_SECONDS ?? 60);
/**
 * Off by default: a ready node also costs the task dispatcher two queries per pass (libs/task,
 * not node liveness), which is measured separately with CRAWLNEST_BENCH_FLEET_READY=1.
 */
const READY = process.env.CRAWLNEST_BENCH_FLEET_READY === '1';
/** One TCP connection per simulated worker costs the simulating process far more CPU on a small machine. */
const OWN_CONNECTIONS = process.env.CRAWLNEST_BENCH_FLEET_OWN_CONNECTIONS === '1';

type NodeEvents = { heartbeats: number; dbWrites: number; leaseWrites: number };

/** What liveness costs one master: simulated workers heartbeating for a while, no tasks. */
const bench: Benchmark = {
  name: `node fleet (1 master, ${WORKERS} simulated ${READY ? 'task-ready' : 'not-ready'} workers over real gRPC (${OWN_CONNECTIONS ? 'one connection each' : 'one shared connection'}), ${SECONDS} s, default timings)`,
  async run(): Promise<Figure[]> {
    const cluster = new TestCluster('bench-fleet');
    let fleet: WorkerSimulator | undefined;
    try {
      const m = await cluster.startMaster();
      fleet = new WorkerSimulator(m.grpcAddress, cluster.clusterSecret, READY, OWN_CONNECTIONS);
      const startedAt = Date.now();
      await fleet.start(WORKERS, 10_000);
      await waitFor(`${WORKERS} nodes online`, async () => {
        const r = (await m.api.get<{ status: string; taskReady: boolean }[]>('/api/nodes')).body;
        return r.filter((n) => n.status === 'online' && n.taskReady === READY).length === WORKERS;
      }, 360_000, 500);
      const rampMs = Date.now() - startedAt;
      const events = async () => (await m.api.get<{ nodeEvents: NodeEvents }>('/api/stats')).body.nodeEvents;
      const e0 = await events();
      const cpu0 = cpuSeconds(m.proc.pid);
      const self0 = process.cpuUsage();
      const t0 = Date.now();
      let rssMax = 0;
      const rss: number[] = [];
      while (Date.now() - t0 < SECONDS * 1000) {
        const r = rssBytes(m.proc.pid);
        rss.push(r);
        rssMax = Math.max(rssMax, r);
        await new Promise((res) => setTimeout(res, 1000));
      }
      const secs = (Date.now() - t0) / 1000;
      const cpu = cpuSeconds(m.proc.pid) - cpu0;
      const selfCpu = process.cpuUsage(self0);
      const e1 = await events();
      const online = (await m.api.get<{ status: string }[]>('/api/nodes')).body.filter((n) => n.status === 'online').length;
      const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
      return [
        { name: 'master CPU', value: (cpu / secs) * 100, unit: '% of one core', goal: '< 25 %' },
        { name: 'simulator process CPU (for context)', value: ((selfCpu.user + selfCpu.system) / 1e6 / secs) * 100, unit: '% of one core' },
        { name: 'master RSS at end', value: mb(rss[rss.length - 1]), unit: 'MiB' },
        { name: 'master RSS max', value: mb(rssMax), unit: 'MiB' },
        { name: 'heartbeats received', value: (e1.heartbeats - e0.heartbeats) / secs, unit: '/s' },
        { name: 'node row writes (transitions only)', value: (e1.dbWrites - e0.dbWrites) / secs, unit: '/s', goal: '0 once all are online: no heartbeat costs a write of its own', baseline: { name: 'one write per heartbeat', value: (e1.heartbeats - e0.heartbeats) / secs } },
        { name: 'lease renewals (all nodes in one write)', value: (e1.leaseWrites - e0.leaseWrites) / secs, unit: '/s', goal: '1.6 (every node timeout / 4), whatever the fleet size' },
        { name: 'nodes online at end', value: online, unit: `of ${WORKERS}` },
        { name: 'simulated stream errors', value: fleet.streamErrors, unit: '' },
        { name: `ramp-up (start spread over 10 s) until all ${WORKERS} online`, value: rampMs, unit: 'ms' },
        { name: 'register retries during ramp-up', value: fleet.registerRetries, unit: '' },
        // SQLite's lock error surfacing through FerretDB: the failure mode issue 13 names.
        { name: '"database is locked" in the master log', value: (m.proc.output().match(/database is locked/g) ?? []).length, unit: '', goal: '0' },
      ];
    } finally {
      fleet?.stop();
      await cluster.stop();
    }
  },
};

export default bench;
