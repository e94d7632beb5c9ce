import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunDirectories } from './run-directories';

describe('RunDirectories', () => {
  let root: string;
  let store: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'run-dirs-'));
    store = join(root, 'files');
    mkdirSync(join(store, 'sub'), { recursive: true });
  });

  /** The store replaces a file by rename, as the sync does. */
  const replace = (rel: string, content: string) => {
    writeFileSync(join(store, `${rel}.tmp`), content);
    renameSync(join(store, `${rel}.tmp`), join(store, rel));
  };

  it('a held version keeps its content while the store moves on, and goes when released', async () => {
    const dirs = new RunDirectories();
    replace('sub/a.txt', 'v1');
    const d1 = await dirs.ensure(root, store, 1, ['sub/a.txt']);
    const release1 = dirs.acquire(root, 1);
    replace('sub/a.txt', 'v2');
    const d2 = await dirs.ensure(root, store, 2, ['sub/a.txt']);
    expect(readFileSync(join(d1, 'sub/a.txt'), 'utf8')).toBe('v1');
    expect(readFileSync(join(d2, 'sub/a.txt'), 'utf8')).toBe('v2');
    expect(readdirSync(join(root, 'versions')).sort()).toEqual(['1', '2']);
    release1();
    release1(); // twice is harmless
    await new Promise((r) => setImmediate(r));
    await dirs.ensure(root, store, 2, ['sub/a.txt']);
    expect(readdirSync(join(root, 'versions'))).toEqual(['2']);
  });

  it('holds only the listed paths (stray files of the store stay out), and drops stale temp dirs and unheld versions', async () => {
    const dirs = new RunDirectories();
    replace('sub/a.txt', 'x');
    writeFileSync(join(store, 'stray.txt'), 'not in the manifest');
    mkdirSync(join(root, 'versions', '.tmp-7-dead'), { recursive: true });
    mkdirSync(join(root, 'versions', '5'), { recursive: true });
    const d = await dirs.ensure(root, store, 9, ['sub/a.txt']);
    expect(readdirSync(d)).toEqual(['sub']);
    expect(readdirSync(join(root, 'versions'))).toEqual(['9']);
  });

  it('keeps the newest version when its last run releases it', async () => {
    const dirs = new RunDirectories();
    replace('sub/a.txt', 'x');
    await dirs.ensure(root, store, 3, ['sub/a.txt']);
    dirs.acquire(root, 3)();
    await new Promise((r) => setImmediate(r));
    expect(readdirSync(join(root, 'versions'))).toEqual(['3']);
  });
});
