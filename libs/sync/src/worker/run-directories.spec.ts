import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
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
  const listed = () => readdirSync(join(root, 'versions')).sort();
  /** Removal after a release runs in the background: poll for it with a deadline. */
  const eventually = async (want: string[]) => {
    const deadline = Date.now() + 5000;
    while (JSON.stringify(listed()) !== JSON.stringify(want) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(listed()).toEqual(want);
  };

  it('a held version keeps its content while the store moves on, and goes when released', async () => {
    const dirs = new RunDirectories();
    replace('sub/a.txt', 'v1');
    const d1 = await dirs.ensure(root, store, 1, ['sub/a.txt']);
    const release1 = dirs.acquire(root, d1);
    replace('sub/a.txt', 'v2');
    const d2 = await dirs.ensure(root, store, 2, ['sub/a.txt']);
    expect(readFileSync(join(d1, 'sub/a.txt'), 'utf8')).toBe('v1');
    expect(readFileSync(join(d2, 'sub/a.txt'), 'utf8')).toBe('v2');
    expect(listed()).toEqual(['1.1', '2.1']);
    release1();
    release1(); // twice is harmless
    await eventually(['2.1']);
  });

  it('reuses an unchanged directory, and builds a fresh one once the store replaced a file (edited in place by a task)', async () => {
    const dirs = new RunDirectories();
    replace('sub/a.txt', 'v1');
    const first = await dirs.ensure(root, store, 1, ['sub/a.txt']);
    expect(await dirs.ensure(root, store, 1, ['sub/a.txt'])).toBe(first);
    const held = dirs.acquire(root, first);
    writeFileSync(join(first, 'sub/a.txt'), 'edited'); // in place: the store's inode too
    replace('sub/a.txt', 'v1'); // the sync notices and downloads it again
    const fresh = await dirs.ensure(root, store, 1, ['sub/a.txt']);
    expect(basename(fresh)).toBe('1.2');
    expect(readFileSync(join(fresh, 'sub/a.txt'), 'utf8')).toBe('v1');
    expect(listed()).toEqual(['1.1', '1.2']); // 1.1 still held
    held();
    await eventually(['1.2']);
  });

  it('holds only the listed paths (stray files of the store stay out), and drops stale temp dirs and unheld directories', async () => {
    const dirs = new RunDirectories();
    replace('sub/a.txt', 'x');
    writeFileSync(join(store, 'stray.txt'), 'not in the manifest');
    mkdirSync(join(root, 'versions', '.tmp-7-dead'), { recursive: true });
    mkdirSync(join(root, 'versions', '5.1'), { recursive: true });
    const d = await dirs.ensure(root, store, 9, ['sub/a.txt']);
    expect(readdirSync(d)).toEqual(['sub']);
    await eventually(['9.1']); // moved aside at once, deleted in the background
  });

  it('keeps the directory handed out last when its run releases it', async () => {
    const dirs = new RunDirectories();
    replace('sub/a.txt', 'x');
    const d = await dirs.ensure(root, store, 3, ['sub/a.txt']);
    dirs.acquire(root, d)();
    await new Promise((r) => setTimeout(r, 50));
    expect(listed()).toEqual(['3.1']);
  });
});
