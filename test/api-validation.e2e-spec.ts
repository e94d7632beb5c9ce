import { Master, TestCluster } from './support/cluster';

type ErrorBody = { statusCode: number; error: string; message: string };

describe('REST input validation (one global ValidationPipe)', () => {
  const cluster = new TestCluster('api-validation');
  let master: Master;
  let spiderId: string;
  const ID = '0123456789abcdef01234567';

  beforeAll(async () => {
    master = await cluster.startMaster();
    const r = await master.api.post<{ id: string }>('/api/spiders', { name: 'validation', cmd: 'true' });
    expect(r.status).toBe(201);
    spiderId = r.body.id;
  });
  afterAll(() => cluster.stop());

  const send = (method: string, path: string, raw?: string) => master.api.request<ErrorBody>(method, path, raw, raw === undefined ? undefined : 'application/json');

  function expectError(r: { status: number; body: ErrorBody }, status: number, error: string, mentions: string): void {
    expect({ status: r.status, body: r.body }).toEqual({ status, body: { statusCode: status, error, message: expect.stringContaining(mentions) } });
  }

  it.each([
    ['an unknown field, named', 'POST', '/api/spiders', { name: 'x', cmd: 'y', bogus: 1 }, 'bogus: unknown field'],
    ['an unknown field in a patch', 'PATCH', `/api/nodes/${ID}`, { maxRunner: 2 }, 'maxRunner: unknown field'],
    ['a number for a string', 'POST', '/api/spiders', { name: 123, cmd: 'y' }, 'name: must be a string'],
    ['a string for an array', 'POST', '/api/tasks', { spiderId: ID, nodeIds: 'x' }, 'nodeIds: expected an array'],
    ['an array for a map', 'POST', '/api/tasks', { spiderId: ID, labels: [1] }, 'labels: expected an object'],
    ['a string for a number (no implicit conversion of bodies)', 'POST', '/api/tasks', { spiderId: ID, priority: '5' }, 'priority: expected an integer'],
    ['a string for a boolean', 'PATCH', `/api/schedules/${ID}`, { enabled: 'yes' }, 'enabled: expected a boolean'],
    ['a priority out of range', 'POST', '/api/tasks', { spiderId: ID, priority: 0 }, 'priority: expected 1..10'],
    ['maxRetries out of range', 'POST', '/api/tasks', { spiderId: ID, maxRetries: 101 }, 'maxRetries: expected 0..100'],
    ['a too long name', 'POST', '/api/spiders', { name: 'n'.repeat(201), cmd: 'y' }, 'name: expected 1..200 characters'],
    ['a map with too many entries', 'PATCH', `/api/nodes/${ID}`, { labels: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v'])) }, 'labels: at most 100 entries'],
    ['a bad id in a list', 'POST', '/api/schedules', { spiderId: ID, cron: '* * * * *', nodeIds: ['nope'] }, 'nodeIds: expected a 24-hex id'],
    ['a bad spiderId', 'POST', '/api/tasks', { spiderId: 'nope' }, 'spiderId: expected a 24-hex id'],
    ['every bad field at once', 'POST', '/api/tasks', { spiderId: 'nope', mode: 'x', extra: true }, 'extra: unknown field; spiderId: expected a 24-hex id; mode: expected one of'],
  ])('%s → 400', async (_what, method, path, body, mentions) => {
    expectError(await send(method, path, JSON.stringify(body)), 400, 'Bad Request', mentions);
  });

  it.each([
    ['a bad :id', 'GET', '/api/spiders/not-an-id', 'id: expected a 24-hex id'],
    ['a bad :id on a file route', 'DELETE', '/api/spiders/not-an-id/files/a.txt', 'id: expected a 24-hex id'],
    ['a page size out of range', 'GET', '/api/tasks?size=0', 'size: expected >= 1'],
    ['a page that is no number', 'GET', '/api/tasks?page=two', 'page: expected an integer'],
    ['an unknown query parameter', 'GET', '/api/tasks?stauts=running', 'stauts: unknown field'],
    ['a log limit out of range', 'GET', `/api/tasks/${ID}/logs?limit=10001`, 'limit: expected <= 10000'],
    ['a bad node status', 'GET', '/api/nodes?status=gone', 'status: expected online or offline'],
    ['a label selector without a colon', 'GET', '/api/nodes?label=zone', 'label: expected k:v'],
  ])('%s → 400', async (_what, method, path, mentions) => {
    expectError(await send(method, path), 400, 'Bad Request', mentions);
  });

  it('a file mode that is not octal → 400, nothing stored', async () => {
    const r = await master.api.put<ErrorBody>(`/api/spiders/${spiderId}/files/run.sh?mode=999`, 'echo', 'application/octet-stream');
    expectError(r, 400, 'Bad Request', 'mode: expected an octal mode like 755');
    expect((await master.api.get(`/api/spiders/${spiderId}/files`)).body.files).toEqual([]);
  });

  it.each([['an array', '[]'], ['an array of objects', '[{"name":"x","cmd":"y"}]'], ['a string', '"x"'], ['null', 'null'], ['a number', '5'], ['true', 'true']])(
    'a body that is %s → 400',
    async (_what, raw) => {
      expectError(await send('POST', '/api/spiders', raw), 400, 'Bad Request', 'body: expected a JSON object');
    },
  );

  it('malformed JSON → 400 saying so', async () => {
    expectError(await send('POST', '/api/tasks', '{"spiderId":'), 400, 'Bad Request', 'body: malformed JSON');
  });

  it('a 1.1 MB JSON body → 413 in the same shape', async () => {
    const raw = JSON.stringify({ name: 'big', cmd: 'y', description: 'd'.repeat(1_100_000) });
    expectError(await send('POST', '/api/spiders', raw), 413, 'Payload Too Large', 'body: larger than 1mb');
  });

  it('a valid create gets the defaults: task mode random, priority 5, no retries, empty maps', async () => {
    const r = await master.api.post<{ tasks: Record<string, unknown>[] }>('/api/tasks', { spiderId });
    expect(r.status).toBe(201);
    expect(r.body.tasks).toHaveLength(1);
    expect(r.body.tasks[0]).toMatchObject({ spiderId, mode: 'random', nodeIds: [], labels: {}, env: {}, priority: 5, timeoutSec: 0, maxRetries: 0, param: '' });
  });

  it('maps given as objects come back as objects (keys with dots included)', async () => {
    const r = await master.api.post<{ tasks: Record<string, unknown>[] }>('/api/tasks', { spiderId, labels: { 'topology.zone': 'a' }, env: { A_B: 'c' }, priority: 9 });
    expect(r.status).toBe(201);
    expect(r.body.tasks[0]).toMatchObject({ labels: { 'topology.zone': 'a' }, env: { A_B: 'c' }, priority: 9 });
  });

  it('a valid schedule create gets the defaults: enabled, priority 5, mode random', async () => {
    const r = await master.api.post('/api/schedules', { spiderId, cron: '0 0 1 1 *' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ spiderId, enabled: true, priority: 5, mode: 'random', nodeIds: [], labels: {}, param: null, cmd: null });
    expect((await master.api.delete(`/api/schedules/${r.body.id}`)).status).toBe(204);
  });

  it('a valid spider create gets empty param and description; a patch changes only what it names', async () => {
    const r = await master.api.post('/api/spiders', { name: 'defaults', cmd: 'run' });
    expect(r.body).toMatchObject({ name: 'defaults', cmd: 'run', param: '', description: '' });
    const p = await master.api.patch(`/api/spiders/${r.body.id}`, { description: 'd' });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ name: 'defaults', cmd: 'run', param: '', description: 'd' });
  });

  it('query numbers are converted: page 2 of size 1', async () => {
    const r = await master.api.get<{ items: unknown[]; total: number }>('/api/tasks?page=2&size=1');
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(1);
    expect(r.body.total).toBeGreaterThanOrEqual(2);
  });
});
