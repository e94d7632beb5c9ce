import { ApiClient } from './support/api-client';
import { Master, TestCluster, Worker } from './support/cluster';
import { parsePromText, sampleValue, Scrape } from './support/prom-text';
import { taskEnded } from './support/spider-tree';
import { TcpProxy } from './support/tcp-proxy';
import { freePort, waitFor } from './support/wait';

const LINES_PER_TASK = 7;
const TASKS = 4;
/** Prints LINES_PER_TASK lines (one of them on stderr). */
const RUN_SH = `i=1; while [ $i -lt ${LINES_PER_TASK} ]; do echo "line $i"; i=$((i+1)); done; echo "last" >&2\n`;

const METRIC_NAMES = [
  'crawlnest_nodes',
  'crawlnest_grpc_control_streams_open',
  'crawlnest_tasks',
  'crawlnest_tasks_stuck_pending',
  'crawlnest_tasks_oldest_pending_age_seconds',
  'crawlnest_task_dispatch_latency_seconds',
  'crawlnest_task_log_lines_stored_total',
  'crawlnest_sync_bytes_sent_total',
  'crawlnest_sync_manifest_builds_total',
  'crawlnest_sync_download_streams_open',
  'crawlnest_process_cpu_user_seconds_total',
  'crawlnest_nodejs_eventloop_lag_seconds',
];

async function scrape(api: ApiClient): Promise<Scrape> {
  const r = await api.get<string>('/metrics');
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}: ${r.text}`);
  return parsePromText(r.text);
}

describe('Prometheus /metrics on the master', () => {
  const cluster = new TestCluster('metrics');
  let master: Master;
  let metricsPort: number;
  const workers: Worker[] = [];

  beforeAll(async () => {
    metricsPort = await freePort();
    master = await cluster.startMaster({ CRAWLNEST_METRICS_PORT: String(metricsPort) });
    for (const name of ['w1', 'w2']) workers.push(await cluster.startWorker({ masters: [master], name }));
    for (const w of workers) await cluster.waitNodeReady(master.api, w.name);
  });

  afterAll(() => cluster.stop());

  it('needs the API token on the API port', async () => {
    expect((await master.api.withToken(null).get('/metrics')).status).toBe(401);
    expect((await master.api.withToken('wrong-token-0123456789abcdef').get('/metrics')).status).toBe(401);
    const r = await master.api.get<string>('/metrics');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const s = parsePromText(r.text);
    for (const name of METRIC_NAMES) expect([name, s.types.get(name)]).toEqual([name, expect.any(String)]);
    expect(s.types.get('crawlnest_task_dispatch_latency_seconds')).toBe('histogram');
    expect(s.types.get('crawlnest_sync_bytes_sent_total')).toBe('counter');
  });

  it('counts the nodes online and their control streams', async () => {
    const s = await scrape(master.api);
    expect(sampleValue(s, 'crawlnest_nodes', { status: 'online' })).toBe(2);
    expect(sampleValue(s, 'crawlnest_nodes', { status: 'offline' })).toBe(0);
    expect(sampleValue(s, 'crawlnest_grpc_control_streams_open')).toBe(2);
  });

  it(`after ${TASKS} real tasks: finished count, dispatch latency, stored log lines and sync traffic`, async () => {
    const before = await scrape(master.api);
    const dispatched0 = sampleValue(before, 'crawlnest_task_dispatch_latency_seconds_count');
    const lines0 = sampleValue(before, 'crawlnest_task_log_lines_stored_total');

    const spider = await master.api.post('/api/spiders', { name: 'metrics', cmd: 'sh run.sh' });
    expect(spider.status).toBe(201);
    const up = await master.api.putFiles(`/api/spiders/${spider.body.id}/files`, { 'run.sh': RUN_SH, 'data/payload.txt': 'x'.repeat(10_000) });
    expect(up.status).toBe(200);
    const ids: string[] = [];
    for (let i = 0; i < TASKS; i++) ids.push((await master.api.post('/api/tasks', { spiderId: spider.body.id })).body.tasks[0].id);
    for (const id of ids) expect((await taskEnded(master.api, id)).status).toBe('finished');

    // The dispatch latency is observed just after the start is recorded: poll for it.
    const after = await waitFor('dispatch latency observed for every task', async () => {
      const s = await scrape(master.api);
      return sampleValue(s, 'crawlnest_task_dispatch_latency_seconds_count') >= dispatched0 + TASKS ? s : undefined;
    });
    expect(sampleValue(after, 'crawlnest_task_dispatch_latency_seconds_count')).toBe(dispatched0 + TASKS);
    expect(sampleValue(after, 'crawlnest_task_dispatch_latency_seconds_bucket', { le: '+Inf' })).toBe(dispatched0 + TASKS);
    const latencySum = sampleValue(after, 'crawlnest_task_dispatch_latency_seconds_sum');
    expect(latencySum).toBeGreaterThan(0);
    expect(latencySum).toBeLessThan(60 * TASKS);
    expect(sampleValue(after, 'crawlnest_task_log_lines_stored_total')).toBe(lines0 + TASKS * LINES_PER_TASK);
    expect(sampleValue(after, 'crawlnest_tasks', { status: 'finished' })).toBeGreaterThanOrEqual(TASKS);
    expect(sampleValue(after, 'crawlnest_tasks', { status: 'pending' })).toBe(0);
    expect(sampleValue(after, 'crawlnest_tasks_stuck_pending')).toBe(0);
    expect(sampleValue(after, 'crawlnest_sync_bytes_sent_total')).toBeGreaterThanOrEqual(RUN_SH.length + 10_000);
    expect(sampleValue(after, 'crawlnest_sync_manifest_builds_total')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(after, 'crawlnest_sync_download_streams_open')).toBe(0);
  });

  it('serves the same metrics without a token on CRAWLNEST_METRICS_PORT', async () => {
    const open = new ApiClient(`http://127.0.0.1:${metricsPort}`, null);
    const r = await open.get<string>('/metrics');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const onPrivate = parsePromText(r.text);
    const onApi = await scrape(master.api);
    expect([...onPrivate.types.keys()].sort()).toEqual([...onApi.types.keys()].sort());
    expect(sampleValue(onPrivate, 'crawlnest_nodes', { status: 'online' })).toBe(2);
    expect((await open.get('/api/nodes')).status).toBe(404);
  });

  it('drops a SIGKILLed worker from the open streams and the online nodes', async () => {
    workers[1].proc.kill('SIGKILL');
    await workers[1].proc.exited;
    const s = await waitFor('the killed worker is offline in the metrics', async () => {
      const m = await scrape(master.api);
      const gone = sampleValue(m, 'crawlnest_nodes', { status: 'online' }) === 1 && sampleValue(m, 'crawlnest_grpc_control_streams_open') === 1;
      return gone ? m : undefined;
    }, 15_000);
    expect(sampleValue(s, 'crawlnest_nodes', { status: 'offline' })).toBe(1);
    expect(sampleValue(s, 'crawlnest_grpc_control_streams_open')).toBe(1);
  });
});

describe('/metrics while the database does not answer', () => {
  const cluster = new TestCluster('metrics-db-down');
  let proxy: TcpProxy;
  let master: Master;

  beforeAll(async () => {
    const db = new URL(cluster.mongoUri);
    proxy = await TcpProxy.start(Number(db.port), db.hostname);
    db.host = proxy.address;
    master = await cluster.startMaster({ CRAWLNEST_MONGO_URI: db.toString() });
  });

  afterAll(async () => {
    proxy.restore();
    await cluster.stop();
    await proxy.close();
  });

  it('still answers, with the last task counts it read', async () => {
    const spider = await master.api.post('/api/spiders', { name: 'pending', cmd: 'true' });
    await master.api.post('/api/tasks', { spiderId: spider.body.id }); // no worker: stays pending
    const before = await scrape(master.api);
    expect(sampleValue(before, 'crawlnest_tasks', { status: 'pending' })).toBe(1);

    proxy.blackhole();
    const startedAt = Date.now();
    const during = await scrape(master.api);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(sampleValue(during, 'crawlnest_tasks', { status: 'pending' })).toBe(1);
    expect(sampleValue(during, 'crawlnest_nodes', { status: 'online' })).toBe(0);
    await waitFor('the master logs that it served the last counts', () => master.proc.output().includes('serving the last ones'));
  });
});
