import { BadInputError, PayloadTooLargeError } from '@crawlnest/node';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import * as yazl from 'yazl';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTarGz as readTarGzFile, readZip as readZipFile } from './archive-reader';
import type { StagedFile } from './upload-staging';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'archive-reader-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

type Read = { path: string; data: Buffer; mode?: number; sha256: string };

/** Writes the archive to a file (the readers work from disk) and reads back what was staged. */
async function readWith(reader: typeof readZipFile, archive: Buffer, limits: typeof LIMITS): Promise<Read[]> {
  const file = join(dir, 'archive.bin');
  writeFileSync(file, archive);
  const staged: StagedFile[] = await reader(file, join(dir, 'staging'), limits);
  return staged.map((f) => ({ path: f.path, data: readFileSync(f.file), mode: f.mode, sha256: f.sha256 }));
}
const readZip = (a: Buffer, l: typeof LIMITS) => readWith(readZipFile, a, l);
const readTarGz = (a: Buffer, l: typeof LIMITS) => readWith(readTarGzFile, a, l);
const stagedLeft = () => {
  try {
    return readdirSync(join(dir, 'staging')).length;
  } catch {
    return 0;
  }
};

const LIMITS = { maxFiles: 100, maxTotalBytes: 1024 * 1024 };

type TarEntry = { name: string; type?: tar.Header['type']; content?: string; mode?: number; linkname?: string };

async function tarGz(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type === 'symlink' || e.type === 'link' || e.type === 'directory' || e.type === 'character-device') {
      pack.entry({ name: e.name, type: e.type, linkname: e.linkname, mode: e.mode });
    } else {
      pack.entry({ name: e.name, mode: e.mode ?? 0o644 }, e.content ?? '');
    }
  }
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const c of pack) parts.push(c as Buffer);
  return gzipSync(Buffer.concat(parts));
}

type ZipEntry = { name: string; content?: string; mode?: number; dir?: boolean };

async function zip(entries: ZipEntry[]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const e of entries) {
    if (e.dir) z.addEmptyDirectory(e.name);
    else z.addBuffer(Buffer.from(e.content ?? ''), e.name, { mode: e.mode ?? 0o100644 });
  }
  z.end();
  const parts: Buffer[] = [];
  for await (const c of z.outputStream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('readTarGz', () => {
  it('reads nested regular files with their modes, skipping directory entries', async () => {
    const files = await readTarGz(
      await tarGz([
        { name: 'crawlab_project/', type: 'directory' },
        { name: 'crawlab_project/spiders/quotes.py', content: 'q' },
        { name: './run.sh', content: 'echo', mode: 0o755 },
      ]),
      LIMITS,
    );
    expect(files.map((f) => [f.path, f.data.toString(), (f.mode ?? 0) & 0o777])).toEqual([
      ['crawlab_project/spiders/quotes.py', 'q', 0o644],
      ['run.sh', 'echo', 0o755],
    ]);
  });

  it.each<[string, TarEntry[], string]>([
    ['a symlink', [{ name: 'evil', type: 'symlink', linkname: '/etc/passwd' }], 'symlink'],
    ['a hard link', [{ name: 'evil', type: 'link', linkname: 'x' }], 'link'],
    ['a device', [{ name: 'dev', type: 'character-device' }], 'character-device'],
    ['a .. segment (zip-slip)', [{ name: '../../etc/cron.d/x', content: 'x' }], "'..' segment"],
    ['an absolute path', [{ name: '/etc/x', content: 'x' }], 'absolute'],
  ])('refuses %s with a 400 naming the entry', async (_what, entries, why) => {
    const err = await readTarGz(await tarGz(entries), LIMITS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toContain(why);
    expect(stagedLeft()).toBe(0);
  });

  it('stages content with the sha256 computed on the way', async () => {
    const [f] = await readTarGz(await tarGz([{ name: 'a.txt', content: 'hello' }]), LIMITS);
    expect(f.sha256).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  });

  it('removes what it staged when a later entry is refused', async () => {
    const err = await readTarGz(await tarGz([{ name: 'ok.txt', content: 'fine' }, { name: '../x', content: 'x' }]), LIMITS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect(stagedLeft()).toBe(0);
  });

  it('stops at the uncompressed size cap (413)', async () => {
    const big = 'x'.repeat(600 * 1024);
    const err = await readTarGz(await tarGz([{ name: 'a', content: big }, { name: 'b', content: big }]), LIMITS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
  });

  it('refuses bytes that are not gzip', async () => {
    await expect(readTarGz(Buffer.from('not an archive'), LIMITS)).rejects.toBeInstanceOf(BadInputError);
  });
});

describe('readZip', () => {
  it('reads nested files and unix modes', async () => {
    const files = await readZip(
      await zip([
        { name: 'crawlab_project/', dir: true },
        { name: 'crawlab_project/spiders/quotes.py', content: 'q' },
        { name: 'run.sh', content: 'echo', mode: 0o100755 },
      ]),
      LIMITS,
    );
    expect(files.map((f) => [f.path, f.data.toString(), f.mode])).toEqual([
      ['crawlab_project/spiders/quotes.py', 'q', 0o644],
      ['run.sh', 'echo', 0o755],
    ]);
  });

  it('refuses a symlink entry', async () => {
    const err = await readZip(await zip([{ name: 'link', content: '/etc/passwd', mode: 0o120777 }]), LIMITS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toContain('not a regular file');
  });

  it('refuses more files than the cap (413)', async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ name: `f${i}`, content: 'x' }));
    await expect(readZip(await zip(many), LIMITS)).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it('refuses bytes that are not a zip', async () => {
    await expect(readZip(Buffer.from('nope'), LIMITS)).rejects.toBeInstanceOf(BadInputError);
  });
});
