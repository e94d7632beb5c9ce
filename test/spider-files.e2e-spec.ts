import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import * as yazl from 'yazl';
import { Master, TestCluster } from './support/cluster';

async function tarGz(entries: { name: string; content?: string; type?: 'symlink'; linkname?: string; mode?: number }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type === 'symlink') pack.entry({ name: e.name, type: 'symlink', linkname: e.linkname });
    else pack.entry({ name: e.name, mode: e.mode ?? 0o644 }, e.content ?? '');
  }
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const c of pack) parts.push(c as Buffer);
  return gzipSync(Buffer.concat(parts));
}

async function zip(entries: { name: string; content: string; mode?: number }[]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const e of entries) z.addBuffer(Buffer.from(e.content), e.name, { mode: e.mode ?? 0o100644 });
  z.end();
  const parts: Buffer[] = [];
  for await (const c of z.outputStream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('spider files over REST', () => {
  const cluster = new TestCluster('spider-files');
  let master: Master;
  let spiderId: string;

  beforeAll(async () => {
    master = await cluster.startMaster({ CRAWLNEST_MAX_UPLOAD_BYTES: String(64 * 1024) });
    spiderId = (await master.api.post('/api/spiders', { name: 'files', cmd: 'true' })).body.id;
    const up = await master.api.putFiles(`/api/spiders/${spiderId}/files`, { 'a/b/c.txt': 'v1', 'run.sh': 'echo hi' });
    expect(up.body).toMatchObject({ version: 1, fileCount: 2 });
  });

  afterAll(() => cluster.stop());

  const manifest = async () => (await master.api.get(`/api/spiders/${spiderId}/files`)).body;

  it('accepts a .tar.gz with nested paths and modes', async () => {
    const r = await master.api.put(
      `/api/spiders/${spiderId}/files`,
      await tarGz([{ name: 'pkg/mod/x.py', content: 'x' }, { name: 'run.sh', content: 'echo tar', mode: 0o755 }]),
      'application/gzip',
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ version: 2, fileCount: 2 });
    const m = await manifest();
    expect(m.files.map((f: { path: string; mode: number }) => [f.path, f.mode])).toEqual([
      ['pkg/mod/x.py', 0o644],
      ['run.sh', 0o755],
    ]);
  });

  it('accepts a .zip and reads single files back byte for byte', async () => {
    const r = await master.api.put(`/api/spiders/${spiderId}/files`, await zip([{ name: 'scrapy.cfg', content: '[settings]\n' }, { name: 'crawlab_project/spiders/quotes.py', content: 'print(1)\n' }]), 'application/zip');
    expect(r.body).toMatchObject({ version: 3, fileCount: 2 });
    const f = await master.api.get(`/api/spiders/${spiderId}/files/crawlab_project/spiders/quotes.py`);
    expect(f.status).toBe(200);
    expect(f.text).toBe('print(1)\n');
  });

  it('puts and deletes one file, each making a new version', async () => {
    const put = await master.api.put(`/api/spiders/${spiderId}/files/bin/run.sh?mode=755`, 'echo single', 'text/plain');
    expect(put.body).toEqual({ version: 4 });
    // JSON content is stored as bytes, not parsed.
    const json = await master.api.put(`/api/spiders/${spiderId}/files/conf/settings.json`, '{"a": 1}', 'application/json');
    expect(json.body).toEqual({ version: 5 });
    expect((await master.api.get(`/api/spiders/${spiderId}/files/conf/settings.json`)).text).toBe('{"a": 1}');
    const m = await manifest();
    expect(m.files.find((f: { path: string }) => f.path === 'bin/run.sh')).toMatchObject({ mode: 0o755, size: 11 });
    const del = await master.api.delete(`/api/spiders/${spiderId}/files/bin/run.sh`);
    expect(del.body).toEqual({ version: 6 });
    expect((await master.api.get(`/api/spiders/${spiderId}/files/bin/run.sh`)).status).toBe(404);
    expect((await master.api.delete(`/api/spiders/${spiderId}/files/bin/run.sh`)).status).toBe(404);
  });

  describe('refuses bad uploads with a 4xx and stores nothing', () => {
    let before: unknown;
    beforeEach(async () => {
      before = await manifest();
    });
    afterEach(async () => {
      expect(await manifest()).toEqual(before);
      expect((await master.api.get(`/api/spiders/${spiderId}`)).body.version).toBe((before as { version: number }).version);
    });

    it.each([
      ['a .. path', { 'ok.txt': 'fine', '../escape.txt': 'x' }, "'..' segment"],
      ['an absolute path', { '/etc/passwd': 'x' }, 'is absolute'],
      ['a backslash path', { 'a\\..\\b': 'x' }, 'backslash'],
    ])('multipart with %s → 400 naming it', async (_what, files, why) => {
      const r = await master.api.putFiles(`/api/spiders/${spiderId}/files`, files);
      expect(r.status).toBe(400);
      expect(r.body.message).toContain(why);
    });

    it('a zip-slip tar.gz → 400', async () => {
      const r = await master.api.put(`/api/spiders/${spiderId}/files`, await tarGz([{ name: 'good.txt', content: 'g' }, { name: '../../etc/x', content: 'x' }]), 'application/gzip');
      expect(r.status).toBe(400);
      expect(r.body.message).toContain('../../etc/x');
    });

    it('a symlink entry → 400', async () => {
      const r = await master.api.put(`/api/spiders/${spiderId}/files`, await tarGz([{ name: 'link', type: 'symlink', linkname: '/etc/passwd' }]), 'application/gzip');
      expect(r.status).toBe(400);
      expect(r.body.message).toContain('symlink');
    });

    it('a single-file path with a .. segment → 400', async () => {
      const r = await master.api.put(`/api/spiders/${spiderId}/files/a/..%2F..%2Fx`, 'x', 'text/plain');
      expect(r.status).toBe(400);
    });

    it('an upload over CRAWLNEST_MAX_UPLOAD_BYTES → 413', async () => {
      const r = await master.api.putFiles(`/api/spiders/${spiderId}/files`, { 'big.bin': Buffer.alloc(100 * 1024, 1) });
      expect(r.status).toBe(413);
      const raw = await master.api.put(`/api/spiders/${spiderId}/files/big.bin`, new Uint8Array(100 * 1024), 'application/octet-stream');
      expect(raw.status).toBe(413);
    });

    it('an unsupported content type → 415', async () => {
      const r = await master.api.put(`/api/spiders/${spiderId}/files`, 'hello', 'text/plain');
      expect(r.status).toBe(415);
    });
  });
});

describe('bad REST input gets a clear 4xx', () => {
  const cluster = new TestCluster('bad-input');
  let master: Master;
  beforeAll(async () => {
    master = await cluster.startMaster();
  });
  afterAll(() => cluster.stop());

  it.each([
    ['POST', '/api/spiders', {}, 400, 'name'],
    ['POST', '/api/spiders', { name: 'x', cmd: 'y', extra: 1 }, 400, 'extra'],
    ['POST', '/api/spiders', { name: 5, cmd: 'y' }, 400, 'name'],
    ['POST', '/api/tasks', { spiderId: 'nope' }, 400, 'spiderId'],
    ['POST', '/api/tasks', { spiderId: '0123456789abcdef01234567' }, 400, 'does not exist'],
    ['POST', '/api/tasks', { spiderId: '0123456789abcdef01234567', priority: 11 }, 400, 'priority'],
    ['POST', '/api/tasks', { spiderId: '0123456789abcdef01234567', mode: 'sometimes' }, 400, 'mode'],
    ['GET', '/api/tasks/not-an-id', undefined, 400, 'id'],
    ['GET', '/api/tasks/0123456789abcdef01234567', undefined, 404, 'not found'],
    ['GET', '/api/nodes/0123456789abcdef01234567', undefined, 404, 'not found'],
    ['GET', '/api/spiders/0123456789abcdef01234567', undefined, 404, 'not found'],
    ['GET', '/api/tasks?status=weird', undefined, 400, 'status'],
    ['GET', '/api/tasks?size=100000', undefined, 400, 'size'],
    ['PATCH', '/api/nodes/0123456789abcdef01234567', { maxRunners: 0 }, 400, 'maxRunners'],
  ])('%s %s %j → %i', async (method, path, body, status, mentions) => {
    const r = await master.api.request<{ statusCode: number; message: string }>(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? undefined : 'application/json');
    expect(r.status).toBe(status);
    expect(r.body.statusCode).toBe(status);
    expect(r.body.message).toContain(mentions);
  });

  it('a malformed JSON body → 400', async () => {
    const r = await master.api.request('POST', '/api/spiders', '{"name":', 'application/json');
    expect(r.status).toBe(400);
  });
});
