import * as yauzl from 'yauzl';
import { Master, TestCluster } from './support/cluster';

type Change = { op: string; path?: string; from?: string; to?: string };

/** Every entry of a zip as path -> [text, unix mode]. */
function unzip(buf: Buffer): Promise<Map<string, [string, number]>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, [string, number]>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const parts: Buffer[] = [];
          stream.on('data', (c: Buffer) => parts.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, [Buffer.concat(parts).toString(), (entry.externalFileAttributes >>> 16) & 0o777]);
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('spider file changes saved together, and a version as a zip', () => {
  const cluster = new TestCluster('spider-changes');
  let master: Master;
  let spiderId: string;

  beforeAll(async () => {
    master = await cluster.startMaster();
    spiderId = (await master.api.post('/api/spiders', { name: 'changes', cmd: 'true' })).body.id;
    const up = await master.api.putFiles(`/api/spiders/${spiderId}/files`, { 'main.py': 'print(1)\n', 'util.py': 'X = 1\n', 'old.py': 'gone\n', 'pkg/a.py': 'A\n' });
    expect(up.body).toMatchObject({ version: 1 });
  });

  afterAll(() => cluster.stop());

  const manifest = async () => (await master.api.get(`/api/spiders/${spiderId}/files`)).body as { version: number; files: { path: string; sha256: string }[] };
  const paths = async () => (await manifest()).files.map((f) => f.path).sort();
  const versions = async () => ((await master.api.get(`/api/spiders/${spiderId}/versions`)).body as { version: number }[]).map((v) => v.version);

  function apply(baseVersion: number | string, changes: Change[] | string, files: Record<string, string> = {}) {
    const form = new FormData();
    form.append('baseVersion', String(baseVersion));
    form.append('changes', typeof changes === 'string' ? changes : JSON.stringify(changes));
    for (const [name, content] of Object.entries(files)) form.append('file', new Blob([content]), name);
    return master.api.request<{ version: number; message?: string }>('POST', `/api/spiders/${spiderId}/changes`, form);
  }

  it('a folder made, a file moved into it, one deleted and one uploaded into a folder make ONE new version', async () => {
    const r = await apply(
      1,
      [{ op: 'mkdir', path: 'lib' }, { op: 'move', from: 'util.py', to: 'lib/util.py' }, { op: 'delete', path: 'old.py' }, { op: 'put', path: 'pkg/b.py' }, { op: 'mkdir', path: 'data' }],
      { 'pkg/b.py': 'B\n' },
    );
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ version: 2 });
    expect(await versions()).toEqual([2, 1]);
    expect(await paths()).toEqual(['data/.keep', 'lib/util.py', 'main.py', 'pkg/a.py', 'pkg/b.py']);
    expect((await master.api.get(`/api/spiders/${spiderId}/files/lib/util.py`)).text).toBe('X = 1\n');
    expect((await master.api.get(`/api/spiders/${spiderId}/files/pkg/b.py`)).text).toBe('B\n');
  });

  it('a folder renamed carries its files; a file saved meanwhile elsewhere is kept', async () => {
    // Someone saves main.py at version 3 while this batch was made on version 2.
    expect((await master.api.put(`/api/spiders/${spiderId}/files/main.py?baseVersion=2`, 'print(2)\n', 'text/plain')).body).toEqual({ version: 3 });
    const r = await apply(2, [{ op: 'move', from: 'pkg', to: 'src/pkg' }]);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ version: 4 });
    expect(await paths()).toEqual(['data/.keep', 'lib/util.py', 'main.py', 'src/pkg/a.py', 'src/pkg/b.py']);
    expect((await master.api.get(`/api/spiders/${spiderId}/files/main.py`)).text).toBe('print(2)\n');
  });

  it.each<[string, number | string, Change[] | string, Record<string, string>, number, RegExp]>([
    ['a ../ path', 4, [{ op: 'mkdir', path: 'lib' }, { op: 'put', path: '../x' }], {}, 400, /'\.\.' segment/],
    ['an absolute move target', 4, [{ op: 'mkdir', path: 'lib2' }, { op: 'move', from: 'main.py', to: '/etc/passwd' }], {}, 400, /absolute/],
    ['a move onto an existing file', 4, [{ op: 'delete', path: 'data' }, { op: 'move', from: 'main.py', to: 'lib/util.py' }], {}, 400, /target already exists/],
    ['a move of a missing file', 4, [{ op: 'move', from: 'nope.py', to: 'x.py' }], {}, 400, /no such file or folder/],
    ['a file part no change names', 4, [{ op: 'delete', path: 'data' }], { 'x.py': 'x' }, 400, /named by no put change/],
    ['a file below a file', 4, [{ op: 'mkdir', path: 'main.py/sub' }], {}, 400, /both a file and a directory/],
    ['malformed changes', 4, '[{"op":"chmod"}]', {}, 400, /changes\[0\]/],
    ['no base version', '', [{ op: 'delete', path: 'data' }], {}, 400, /baseVersion/],
    ['a stale base (main.py changed in version 3)', 2, [{ op: 'delete', path: 'main.py' }], {}, 409, /changed after version 2.*current version: 4/],
    ['a base never made', 99, [{ op: 'delete', path: 'data' }], {}, 409, /version 99 is not kept/],
  ])('refuses %s with a clear answer and changes nothing', async (_name, base, changes, files, status, message) => {
    const before = await manifest();
    const r = await apply(base, changes, files);
    expect(r.status).toBe(status);
    expect(r.body.message).toMatch(message);
    expect(await manifest()).toEqual(before);
    expect(await versions()).toEqual([4, 3, 2, 1]);
  });

  it('refuses a JSON body with 415 (the batch is multipart)', async () => {
    const r = await master.api.post(`/api/spiders/${spiderId}/changes`, { baseVersion: 4, changes: [] });
    expect(r.status).toBe(415);
  });

  it('downloads a whole version as a zip, modes kept; 404 for a version never made', async () => {
    expect((await master.api.put(`/api/spiders/${spiderId}/files/run.sh?mode=755`, 'echo hi\n', 'text/plain')).body).toEqual({ version: 5 });
    const res = await fetch(`${master.api.baseUrl}/api/spiders/${spiderId}/versions/5/archive`, { headers: { authorization: `Bearer ${cluster.apiToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="changes-v5.zip"');
    const zip = await unzip(Buffer.from(await res.arrayBuffer()));
    expect([...zip.keys()].sort()).toEqual(['data/.keep', 'lib/util.py', 'main.py', 'run.sh', 'src/pkg/a.py', 'src/pkg/b.py']);
    expect(zip.get('main.py')).toEqual(['print(2)\n', 0o644]);
    expect(zip.get('run.sh')).toEqual(['echo hi\n', 0o755]);
    expect(zip.get('data/.keep')).toEqual(['', 0o644]);
    expect((await master.api.get(`/api/spiders/${spiderId}/versions/9/archive`)).status).toBe(404);
  });
});
