import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { FileStamp, RunDirectories, unchangedSince } from './run-directories';

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

  it('builds the next version from the previous directory no run holds: only what changed is linked again, strays and removed paths go', async () => {
    const dirs = new RunDirectories();
    const paths = Array.from({ length: 50 }, (_, i) => `sub/d${i % 5}/f${i}.txt`);
    for (const p of paths) {
      mkdirSync(join(store, p, '..'), { recursive: true });
      replace(p, `v1 ${p}`);
    }
    replace('gone.txt', 'old');
    const d1 = await dirs.ensure(root, store, 1, [...paths, 'gone.txt']);
    dirs.acquire(root, d1)(); // ran and ended: nobody holds it
    writeFileSync(join(d1, 'sub/d0/left-by-a-run.txt'), 'stray');
    mkdirSync(join(d1, 'sub/d1/f1.txt.dir'), { recursive: true });
    const inodeBefore = lstatSync(join(d1, paths[7])).ino;
    replace(paths[3], 'v2 changed');
    rmSync(join(store, 'gone.txt'));
    mkdirSync(join(store, 'gone.txt'));
    replace('gone.txt/now-a-dir.txt', 'new');
    const next = [...paths, 'gone.txt/now-a-dir.txt'];
    const d2 = await dirs.ensure(root, store, 2, next);
    expect(basename(d2)).toBe('2.1');
    expect(listed()).toEqual(['2.1']); // the previous directory became this one
    expect(readFileSync(join(d2, paths[3]), 'utf8')).toBe('v2 changed');
    expect(readFileSync(join(d2, paths[7]), 'utf8')).toBe(`v1 ${paths[7]}`);
    expect(lstatSync(join(d2, paths[7])).ino).toBe(inodeBefore);
    expect(readFileSync(join(d2, 'gone.txt/now-a-dir.txt'), 'utf8')).toBe('new');
    const all = readdirSync(d2, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(d2.length + 1));
    expect(all.sort()).toEqual([...next].sort());
    expect(readdirSync(join(d2, 'sub/d1')).sort()).toEqual(paths.filter((p) => p.startsWith('sub/d1/')).map((p) => basename(p)).sort());
  });

  it('never takes a directory a run still holds: that run keeps its version', async () => {
    const dirs = new RunDirectories();
    replace('sub/a.txt', 'v1');
    const d1 = await dirs.ensure(root, store, 1, ['sub/a.txt']);
    const release = dirs.acquire(root, d1);
    replace('sub/a.txt', 'v2');
    const d2 = await dirs.ensure(root, store, 2, ['sub/a.txt']);
    expect(readFileSync(join(d1, 'sub/a.txt'), 'utf8')).toBe('v1');
    expect(readFileSync(join(d2, 'sub/a.txt'), 'utf8')).toBe('v2');
    release();
    await eventually(['2.1']);
  });

  it('unchangedSince: a file a run edited, replaced or removed is noticed', async () => {
    const dirs = new RunDirectories();
    replace('sub/a.txt', 'a');
    replace('sub/b.txt', 'b');
    const d = await dirs.ensure(root, store, 1, ['sub/a.txt', 'sub/b.txt']);
    const stamp = (p: string): FileStamp => {
      const st = lstatSync(join(d, p));
      return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    };
    const stamps = () => new Map([['sub/a.txt', stamp('sub/a.txt')], ['sub/b.txt', stamp('sub/b.txt')]]);
    let s = stamps();
    expect(await unchangedSince(d, s)).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(join(d, 'sub/a.txt'), 'A'); // same size, in place
    expect(await unchangedSince(d, s)).toBe(false);
    s = stamps();
    writeFileSync(join(d, 'sub/b.tmp'), 'b');
    renameSync(join(d, 'sub/b.tmp'), join(d, 'sub/b.txt')); // replaced
    expect(await unchangedSince(d, s)).toBe(false);
    s = stamps();
    rmSync(join(d, 'sub/a.txt'));
    expect(await unchangedSince(d, s)).toBe(false);
  });
});
