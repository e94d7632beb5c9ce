import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Master, TestCluster } from './support/cluster';
import { DbSnapshotter } from './support/db-snapshot';
import { RawRequest, RawResult, sendRaw } from './support/malformed-http';
import { Fixtures, malformedRequests } from './support/malformed-requests';
import { waitFor } from './support/wait';

const SEED = 20240601;

type Outcome = { req: RawRequest; res: RawResult };

function describeRequest(r: RawRequest): string {
  const body = r.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
  const ct = r.headers?.['content-type'] ?? '-';
  const shown = body.length > 120 ? `${body.subarray(0, 80).toString('latin1')}… (${body.length} bytes)` : body.toString('latin1');
  const path = r.path.length > 140 ? `${r.path.slice(0, 120)}… (${r.path.length} chars)` : r.path;
  return `[${r.kind}] ${r.method} ${path} ct=${ct} body=${JSON.stringify(shown)}`;
}

/** Which documents differ between two snapshots, by collection and _id. */
function snapshotDiff(before: string, after: string): string[] {
  const a = JSON.parse(before) as Record<string, { _id: unknown }[]>;
  const b = JSON.parse(after) as Record<string, { _id: unknown }[]>;
  const out: string[] = [];
  for (const coll of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const byId = (docs: { _id: unknown }[] = []) => new Map(docs.map((d) => [JSON.stringify(d._id), JSON.stringify(d)]));
    const x = byId(a[coll]);
    const y = byId(b[coll]);
    for (const [id, doc] of y) {
      if (!x.has(id)) out.push(`${coll}: added ${doc.slice(0, 300)}`);
      else if (x.get(id) !== doc) out.push(`${coll}: changed ${id}\n    was ${x.get(id)?.slice(0, 400)}\n    now ${doc.slice(0, 400)}`);
    }
    for (const id of x.keys()) if (!y.has(id)) out.push(`${coll}: removed ${id}`);
  }
  return out;
}

function tally(outcomes: Outcome[], key: (o: Outcome) => string): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    const k = key(o);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const width = Math.max(10, ...[...counts.keys()].map((k) => k.length));
  const rows = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `  ${k.padEnd(width)} ${String(n).padStart(5)}`);
  return [...rows, `  ${'total'.padEnd(width)} ${String(outcomes.length).padStart(5)}`].join('\n');
}

/**
 * Black box: only HTTP and direct reads of the database, so it holds whatever validates the
 * requests inside the master.
 */
describe('a few hundred malformed requests over every route', () => {
  const cluster = new TestCluster('malformed');
  let master: Master;
  let db: DbSnapshotter;
  let fixtures: Fixtures;

  beforeAll(async () => {
    // 1 MB uploads, so a 2 MB body is over the limit without a large test.
    master = await cluster.startMaster({ CRAWLNEST_MAX_UPLOAD_BYTES: String(1024 * 1024) });
    await cluster.startWorker({ masters: [master], name: 'w1' });
    const nodeId = await cluster.waitNodeReady(master.api, 'w1');

    const s = await master.api.post('/api/spiders', { name: 'fuzz-target', cmd: 'sh run.sh', param: 'p', description: 'd' });
    expect(s.status).toBe(201);
    const spiderId: string = s.body.id;
    const up = await master.api.putFiles(`/api/spiders/${spiderId}/files`, { 'run.sh': 'echo hello; echo oops >&2', 'data/a.txt': 'a' });
    expect(up.status).toBe(200);
    // Disabled and yearly: the schedule never fires during the run.
    const sched = await master.api.post('/api/schedules', { spiderId, cron: '0 0 1 1 *', enabled: false });
    expect(sched.status).toBe(201);
    const t = await master.api.post('/api/tasks', { spiderId });
    expect(t.status).toBe(201);
    const taskId: string = t.body.tasks[0].id;
    await waitFor('the fixture task finishes', async () => (await master.api.get(`/api/tasks/${taskId}`)).body.status === 'finished', 30_000);
    await waitFor('its logs are stored', async () => (await master.api.get(`/api/tasks/${taskId}/logs`)).body.done === true, 10_000);
    fixtures = { token: cluster.apiToken, spiderId, filePath: 'run.sh', dirPath: 'data', scheduleId: sched.body.id, taskId, nodeId };
    db = await DbSnapshotter.open(cluster.mongoUri, cluster.dbName);
  });

  afterAll(async () => {
    await db?.close();
    await cluster.stop();
  });

  it('answers every one with a 4xx and leaves the database as it was', async () => {
    // Quiet first: the fixture task's last writes (archive, claims, log batches) have landed,
    // and its queue copy is swept (a dispatched task's copy is deleted by a sweep every ≥ 2 s).
    let previous = '';
    const before = await waitFor('two equal snapshots in a row, the queue swept', async () => {
      const s = await db.snapshot();
      const swept = ((JSON.parse(s) as Record<string, unknown[]>).task_queue ?? []).length === 0;
      const stable = s === previous && swept ? s : undefined;
      previous = s;
      return stable;
    }, 30_000, 500);

    const requests = await malformedRequests(fixtures, SEED);
    expect(requests.length).toBeGreaterThanOrEqual(400);
    const outcomes: Outcome[] = [];
    for (const req of requests) outcomes.push({ req, res: await sendRaw(master.httpPort, req) });

    const table =
      `status code:\n${tally(outcomes, (o) => (o.res.status === null ? 'no answer' : String(o.res.status)))}\n` +
      `route group:\n${tally(outcomes, (o) => o.req.kind.replace(/: .*/, ''))}`;
    const failures = outcomes
      .filter((o) => o.res.status === null || o.res.status < 400 || o.res.status > 499)
      .map((o) => `${describeRequest(o.req)}\n    → ${o.res.status ?? o.res.error} ${o.res.body.slice(0, 300)}`);
    const after = await db.snapshot();
    const changes = snapshotDiff(before, after);
    const report =
      `seed ${SEED}: ${requests.length} malformed requests\n${table}\n\n${failures.length} not answered with a 4xx:\n${failures.join('\n')}\n` +
      `\n${changes.length} database changes:\n${changes.join('\n')}\n`;
    const outDir = join(__dirname, '..', '.test-results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'malformed-input.txt'), report);
    console.log(report);

    expect(master.proc.running).toBe(true);
    expect((await master.api.get('/api/health')).status).toBe(200);
    expect(failures).toEqual([]);
    expect(changes).toEqual([]);
    expect(after).toEqual(before);
  });
});
