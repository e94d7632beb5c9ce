import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import * as yazl from 'yazl';
import { Master, TestCluster } from './support/cluster';
import { tarGzTree } from './support/spider-tree';

/** Uploads that just work: a zipped folder, an archive sent as the one multipart part. */
async function zip(entries: Record<string, string>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) z.addBuffer(Buffer.from(content), name, { mode: 0o100644 });
  z.end();
  const parts: Buffer[] = [];
  for await (const c of z.outputStream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** A tar.gz that may hold names a well-behaved packer would refuse, and symlinks. */
async function rawTarGz(entries: { name: string; content?: string; symlinkTo?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.symlinkTo) pack.entry({ name: e.name, type: 'symlink', linkname: e.symlinkTo });
    else pack.entry({ name: e.name, mode: 0o644 }, e.content ?? '');
  }
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const c of pack) parts.push(c as Buffer);
  return gzipSync(Buffer.concat(parts));
}

const SHOP = {
  'shop/scrapy.cfg': '[settings]\ndefault = shop.settings\n',
  'shop/shop/__init__.py': '',
  'shop/shop/settings.py': 'BOT_NAME = "shop"\n',
  'shop/requirements.txt': 'scrapy\n',
};
const UNWRAPPED = ['requirements.txt', 'scrapy.cfg', 'shop/__init__.py', 'shop/settings.py'];

describe('uploads that just work', () => {
  const cluster = new TestCluster('upload-unwrap');
  let master: Master;
  let spiderId: string;

  beforeAll(async () => {
    master = await cluster.startMaster();
    spiderId = (await master.api.post('/api/spiders', { name: 'shop', cmd: 'scrapy crawl shop' })).body.id;
  });

  afterAll(() => cluster.stop());

  const paths = async () => ((await master.api.get(`/api/spiders/${spiderId}/files`)).body.files as { path: string }[]).map((f) => f.path).sort();

  it('a zipped folder is unwrapped: the folder becomes the spider root, and the response says so', async () => {
    const r = await master.api.put(`/api/spiders/${spiderId}/files`, await zip(SHOP), 'application/zip');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ fileCount: 4, unwrapped: 'shop/' });
    expect(await paths()).toEqual(UNWRAPPED);
  });

  it('a tar.gz of a folder is unwrapped too', async () => {
    const tree = Object.fromEntries(Object.entries(SHOP).map(([p, content]) => [p, { content }]));
    const r = await master.api.put(`/api/spiders/${spiderId}/files`, await tarGzTree(tree), 'application/gzip');
    expect(r.status).toBe(200);
    expect(r.body.unwrapped).toBe('shop/');
    expect(await paths()).toEqual(UNWRAPPED);
  });

  it('an archive with more than one top-level entry is kept as it is', async () => {
    const r = await master.api.put(`/api/spiders/${spiderId}/files`, await zip({ ...SHOP, 'README.md': 'hi' }), 'application/zip');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ fileCount: 5, unwrapped: null });
    expect(await paths()).toContain('shop/scrapy.cfg');
  });

  it.each([
    ['shop.zip', () => zip(SHOP)],
    ['shop.tar.gz', () => tarGzTree(Object.fromEntries(Object.entries(SHOP).map(([p, content]) => [p, { content }])))],
  ])('a multipart upload whose single part is %s is extracted like an archive body', async (name, make) => {
    const r = await master.api.putFiles(`/api/spiders/${spiderId}/files`, { [name]: await make() });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ fileCount: 4, unwrapped: 'shop/' });
    expect(await paths()).toEqual(UNWRAPPED);
  });

  it('a multipart upload of ordinary files is stored as sent (a lone folder is not unwrapped there)', async () => {
    const r = await master.api.putFiles(`/api/spiders/${spiderId}/files`, { 'shop/main.py': 'print(1)' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ fileCount: 1, unwrapped: null });
    expect(await paths()).toEqual(['shop/main.py']);
  });

  it('a refused archive names every offending entry, and stores nothing', async () => {
    const before = (await master.api.get(`/api/spiders/${spiderId}`)).body.version;
    const body = await rawTarGz([
      { name: 'ok.py', content: 'fine' },
      { name: '../escape.py', content: 'x' },
      { name: 'link', symlinkTo: '/etc/passwd' },
      { name: '/abs/path.py', content: 'x' },
      { name: 'also-ok.py', content: 'fine' },
    ]);
    const r = await master.api.put(`/api/spiders/${spiderId}/files`, body, 'application/gzip');
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/^3 archive entries refused: /);
    for (const name of ['../escape.py', 'link', '/abs/path.py']) expect(r.body.message).toContain(JSON.stringify(name));
    expect(r.body.message).not.toContain('ok.py');
    expect((await master.api.get(`/api/spiders/${spiderId}`)).body.version).toBe(before);
  });

  it('a refusal lists at most 20 entries and counts the rest', async () => {
    const bad = Array.from({ length: 25 }, (_, i) => ({ name: `../bad-${i}.py`, content: 'x' }));
    const r = await master.api.put(`/api/spiders/${spiderId}/files`, await rawTarGz(bad), 'application/gzip');
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/^25 archive entries refused: /);
    expect(r.body.message).toContain('"../bad-19.py"');
    expect(r.body.message).not.toContain('"../bad-20.py"');
    expect(r.body.message).toMatch(/; and 5 more$/);
  });
});
