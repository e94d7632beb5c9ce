import { createHash } from 'node:crypto';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

type Task = { id: string; status: string; exitCode: number | null; error: string | null; nodeId: string | null; sync: { filesTransferred: number } | null };
type LogPage = { lines: { seq: number; stream: string; text: string }[]; nextAfter: number; done: boolean };

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** seed 001's shape: a Scrapy-like tree with the exact nested path that broke Crawlab. */
const TREE: Record<string, string> = {
  'scrapy.cfg': '[settings]\ndefault = crawlab_project.settings\n',
  'crawlab_project/__init__.py': '',
  'crawlab_project/settings.py': 'BOT_NAME = "crawlab_project"\n',
  'crawlab_project/spiders/__init__.py': '',
  'crawlab_project/spiders/quotes.py': 'print("quotes")\n'.repeat(50),
};

/** The task's own check: every file present with the sha256 the test expects. */
function checkScript(tree: Record<string, string>): string {
  const lines = Object.entries(tree).map(([p, c]) => `echo "${sha(c)}  ${p}"`);
  return [
    '#!/bin/sh',
    'set -e',
    `{ ${lines.join('; ')}; } > /tmp/expected.$$`,
    'sha256sum -c /tmp/expected.$$ --quiet',
    'rm -f /tmp/expected.$$',
    'echo "task=$CRAWLNEST_TASK_ID greeting=$GREETING arg=$1"',
    'i=1; while [ $i -le 100 ]; do echo "line $i"; i=$((i+1)); done',
    'echo "to stderr" >&2',
  ].join('\n');
}

async function finished(m: Master, id: string): Promise<Task> {
  return waitFor(`task ${id} ends`, async () => {
    const t = (await m.api.get<Task>(`/api/tasks/${id}`)).body;
    return ['finished', 'error', 'cancelled', 'abnormal'].includes(t.status) ? t : undefined;
  }, 30_000);
}

describe('one task from the REST API to a worker and back', () => {
  const cluster = new TestCluster('task-path');
  let master: Master;
  let nodeId: string;
  let spiderId: string;

  beforeAll(async () => {
    master = await cluster.startMaster();
    await cluster.startWorker({ masters: [master], name: 'w1' });
    nodeId = await cluster.waitNodeReady(master.api, 'w1');
    const s = await master.api.post('/api/spiders', { name: 'quotes', cmd: 'sh run.sh' });
    expect(s.status).toBe(201);
    spiderId = s.body.id;
    const up = await master.api.putFiles(`/api/spiders/${spiderId}/files`, { ...TREE, 'run.sh': checkScript(TREE) });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ version: 1, fileCount: 6 });
  });

  afterAll(() => cluster.stop());

  it('lists the registered worker as online and task-ready', async () => {
    const r = await master.api.get('/api/nodes');
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(1);
    expect(r.body[0]).toMatchObject({ id: nodeId, name: 'w1', status: 'online', active: true, taskReady: true, enabled: true, connectedReplica: 'master1' });
  });

  it('runs the command in the synced nested tree and returns every log line in order', async () => {
    const r = await master.api.post('/api/tasks', { spiderId, param: 'ARG1', env: { GREETING: 'hi there' } });
    expect(r.status).toBe(201);
    const t = await finished(master, r.body.tasks[0].id);
    expect(t).toMatchObject({ status: 'finished', exitCode: 0, error: null, nodeId });
    expect(t.sync?.filesTransferred).toBe(6);

    const logs = (await master.api.get<LogPage>(`/api/tasks/${t.id}/logs?limit=1000`)).body;
    expect(logs.done).toBe(true);
    expect(logs.lines.map((l) => l.seq)).toEqual(Array.from({ length: logs.lines.length }, (_, i) => i + 1));
    const stdout = logs.lines.filter((l) => l.stream === 'stdout').map((l) => l.text);
    expect(stdout[0]).toBe(`task=${t.id} greeting=hi there arg=ARG1`);
    expect(stdout.slice(1)).toEqual(Array.from({ length: 100 }, (_, i) => `line ${i + 1}`));
    expect(logs.lines.filter((l) => l.stream === 'stderr').map((l) => l.text)).toEqual(['to stderr']);
  });

  it('pages logs with after and limit', async () => {
    const r = await master.api.post('/api/tasks', { spiderId });
    const t = await finished(master, r.body.tasks[0].id);
    const first = (await master.api.get<LogPage>(`/api/tasks/${t.id}/logs?after=0&limit=40`)).body;
    expect(first.lines.map((l) => l.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(first).toMatchObject({ nextAfter: 40, done: false });
    const rest = (await master.api.get<LogPage>(`/api/tasks/${t.id}/logs?after=40&limit=1000`)).body;
    expect(rest.lines[0].seq).toBe(41);
    expect(rest.done).toBe(true);
  });

  it('reports a failing command as error with its exit code', async () => {
    const r = await master.api.post('/api/tasks', { spiderId, cmd: 'echo failing; exit 7' });
    const t = await finished(master, r.body.tasks[0].id);
    expect(t).toMatchObject({ status: 'error', exitCode: 7, error: 'exit code 7' });
    const logs = (await master.api.get<LogPage>(`/api/tasks/${t.id}/logs`)).body;
    expect(logs.lines.map((l) => l.text)).toEqual(['failing']);
  });

  it('runs a selected-nodes task on the node it names', async () => {
    const r = await master.api.post('/api/tasks', { spiderId, mode: 'selected-nodes', nodeIds: [nodeId], cmd: 'true' });
    expect(r.status).toBe(201);
    const t = await finished(master, r.body.tasks[0].id);
    expect(t).toMatchObject({ status: 'finished', nodeId });
  });

  it('runs a new version: changed, added and deleted files are exactly version 2', async () => {
    const v2: Record<string, string> = {
      'scrapy.cfg': TREE['scrapy.cfg'],
      'crawlab_project/spiders/quotes.py': 'print("quotes v2")\n',
      'crawlab_project/spiders/authors.py': 'print("authors")\n',
    };
    const up = await master.api.putFiles(`/api/spiders/${spiderId}/files`, { ...v2, 'run.sh': checkScript(v2) });
    expect(up.body).toMatchObject({ version: 2, fileCount: 4 });
    const cmd = 'sh run.sh && test ! -e crawlab_project/settings.py && test ! -e crawlab_project/__init__.py';
    const r = await master.api.post('/api/tasks', { spiderId, cmd });
    const t = await finished(master, r.body.tasks[0].id);
    expect(t).toMatchObject({ status: 'finished', exitCode: 0 });
  });
});

describe('REST and gRPC refuse callers without credentials', () => {
  const cluster = new TestCluster('auth');
  let master: Master;

  beforeAll(async () => {
    master = await cluster.startMaster();
  });

  afterAll(() => cluster.stop());

  it('answers /api/health without a token', async () => {
    const r = await master.api.withToken(null).get('/api/health');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok', db: 'up', replica: 'master1', details: { db: { status: 'up' } } });
  });

  it.each([
    ['no token', null],
    ['a wrong token', 'not-the-token-at-all-0000000000'],
  ])('answers 401 with %s', async (_what, token) => {
    for (const path of ['/api/nodes', '/api/spiders', '/api/tasks', '/api/stats']) {
      const r = await master.api.withToken(token).get(path);
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ statusCode: 401 });
    }
  });

  it('refuses a worker with a wrong cluster secret (UNAUTHENTICATED) and logs it', async () => {
    const w = await cluster.startWorker({ masters: [master], name: 'intruder', env: { CRAWLNEST_CLUSTER_SECRET: 'wrong-secret-wrong-secret-wrong' } });
    await waitFor('master logs the refusal', () => master.proc.output().includes('bad cluster secret'), 15_000);
    await waitFor('worker sees UNAUTHENTICATED', () => /UNAUTHENTICATED|16 /.test(w.proc.output()), 15_000);
    const nodes = await master.api.get<{ name: string }[]>('/api/nodes');
    expect(nodes.body.map((n) => n.name)).not.toContain('intruder');
  });
});
