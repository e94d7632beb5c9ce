import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { copyFile, link, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { FS_CONCURRENCY, mapBounded, runBounded } from './bounded';

/**
 * Immutable run directories: `<spider root>/versions/<version>.<n>`, built from the synced
 * store (`files/`) with hard links, so a run sees exactly the version it was given from start
 * to end while a newer version syncs into the store beside it. The store never writes into a
 * file in place (downloads and mode changes land in a new file renamed over the old name), so
 * a linked file keeps its content for as long as a run directory holds it.
 *
 * A directory is reused by the next run of its version only while every file in it is still
 * the store's file (same inode): a task that edited a file in place made the store download it
 * again, and the next run gets a fresh directory. Each run holds a reference; a directory no
 * run holds is removed, except the one just handed out (the next run most likely wants it).
 * Disk use is bounded by the directories in use at once; links cost no content bytes.
 */
export class RunDirectories {
  private readonly log = new Logger(RunDirectories.name);
  /** directory → runs holding it. */
  private readonly refs = new Map<string, number>();
  /** root → the directory handed out last (kept when unreferenced). */
  private readonly newest = new Map<string, string>();
  /** Directories being deleted in the background. */
  private readonly removing = new Set<string>();

  /**
   * A directory holding exactly `paths` of the store's current content, and removal of the
   * spider's other directories that no run holds. Must run while the store holds that version
   * (the caller serialises syncs per spider).
   */
  async ensure(root: string, store: string, version: number, paths: string[], storeInodes?: Map<string, number>): Promise<string> {
    const versions = join(root, 'versions');
    await mkdir(versions, { recursive: true });
    const present = await readdir(versions);
    const instances = present
      .map((name) => ({ name, m: /^(\d+)\.(\d+)$/.exec(name) }))
      .filter((x) => x.m && Number(x.m[1]) === version)
      .sort((a, b) => Number(b.m?.[2]) - Number(a.m?.[2]));
    let target: string | undefined;
    const newest = instances[0];
    if (newest && (await sameFiles(join(versions, newest.name), store, paths, storeInodes))) target = join(versions, newest.name);
    if (!target) {
      const next = newest ? Number(newest.m?.[2]) + 1 : 1;
      target = join(versions, `${version}.${next}`);
      const tmp = join(versions, `.tmp-${version}-${randomBytes(4).toString('hex')}`);
      const donor = this.donor(root, versions, present);
      try {
        if (donor) {
          // The previous version's directory, which no run holds, becomes this one: only the
          // files that differ are linked again (a one-file change links one file, not 1000).
          await rename(donor, tmp);
          this.newest.delete(root);
          await reshape(tmp, store, paths, storeInodes);
        } else {
          await mkdir(tmp);
          // Each directory once (parents before children), then the links side by side.
          const dirs = [...new Set(paths.map((p) => dirname(p)).filter((d) => d !== '.'))].sort();
          for (const d of dirs) await mkdir(join(tmp, d), { recursive: true });
          await runBounded(paths, FS_CONCURRENCY, (p) => linkOrCopy(join(store, p), join(tmp, p)));
        }
        await rename(tmp, target);
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        throw err;
      }
    }
    this.newest.set(root, target);
    for (const name of present) {
      const dir = join(versions, name);
      if (dir === target || !(await exists(dir)) || this.refs.get(dir) || this.removing.has(dir)) continue;
      // Out of the way at once (one rename), deleted in the background: deleting the previous
      // version's 1000 links in line took much of a sync that changed one file.
      const doomed = name.startsWith('.trash-') ? dir : join(versions, `.trash-${randomBytes(4).toString('hex')}`);
      if (doomed !== dir) {
        try {
          await rename(dir, doomed);
        } catch (err) {
          this.log.warn({ msg: 'moving an unused run directory aside failed', dir, err: String(err) });
          continue;
        }
      }
      void this.remove(doomed);
    }
    return target;
  }

  /** The directory handed out last for `root` when no run holds it and it is still there. */
  private donor(root: string, versions: string, present: string[]): string | undefined {
    const dir = this.newest.get(root);
    if (!dir || this.refs.get(dir) || this.removing.has(dir)) return undefined;
    return present.some((n) => join(versions, n) === dir) ? dir : undefined;
  }

  /** A run starts using `dir`; call the returned function when it ends. */
  acquire(root: string, dir: string): () => void {
    this.refs.set(dir, (this.refs.get(dir) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.refs.get(dir) ?? 1) - 1;
      if (n > 0) {
        this.refs.set(dir, n);
        return;
      }
      this.refs.delete(dir);
      if (this.newest.get(root) !== dir) void this.remove(dir);
    };
  }

  private async remove(dir: string): Promise<void> {
    if (this.removing.has(dir)) return;
    this.removing.add(dir);
    try {
      await rm(dir, { recursive: true, force: true });
    } catch (err) {
      this.log.warn({ msg: 'removing an unused run directory failed', dir, err: String(err) });
    } finally {
      this.removing.delete(dir);
    }
  }
}

/**
 * Turns `dir` (another version's run directory) into exactly the store's `paths`: whatever is
 * not one of them goes (files a run left behind too), and each path that is not the very file
 * (inode) the store holds now is linked again. Read-only checks for the files that stayed.
 */
async function reshape(dir: string, store: string, paths: string[], storeInodes?: Map<string, number>): Promise<void> {
  const wanted = new Set(paths);
  const parents = new Set<string>();
  for (const p of paths) for (let d = dirname(p); d !== '.'; d = dirname(d)) parents.add(d);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const strays: string[] = [];
  for (const e of entries) {
    const rel = relative(dir, join(e.parentPath, e.name));
    if (e.isDirectory() ? !parents.has(rel) : !wanted.has(rel)) strays.push(rel);
  }
  // Deepest first, so a stray directory goes after what it holds (rm is recursive anyway).
  strays.sort((a, b) => b.length - a.length);
  for (const rel of strays) await rm(join(dir, rel), { recursive: true, force: true });
  await runBounded(paths, FS_CONCURRENCY, async (p) => {
    const [a, b] = await Promise.all([lstat(join(dir, p)).catch(() => null), storeInode(store, p, storeInodes)]);
    if (a && a.isFile() && a.ino === b.ino && a.dev === b.dev) return;
    if (a) await rm(join(dir, p), { recursive: true, force: true });
    await mkdir(dirname(join(dir, p)), { recursive: true });
    await linkOrCopy(join(store, p), join(dir, p));
  });
}

/**
 * The store file's inode: from what the caller's sync just stat'ed (it alone writes the store,
 * one sync per spider at a time), else one `lstat`. Same device as the store by definition.
 */
async function storeInode(store: string, p: string, known?: Map<string, number>): Promise<{ ino: number; dev: number }> {
  const ino = known?.get(p);
  if (ino === undefined) return lstat(join(store, p));
  return { ino, dev: (await storeDev(store)) };
}

const storeDevs = new Map<string, Promise<number>>();
function storeDev(store: string): Promise<number> {
  let d = storeDevs.get(store);
  if (!d) {
    d = lstat(store).then((st) => st.dev);
    d.catch(() => storeDevs.delete(store));
    storeDevs.set(store, d);
  }
  return d;
}

async function exists(p: string): Promise<boolean> {
  return (await lstat(p).catch(() => null)) !== null;
}

/**
 * True when every path of a run directory is still the file it was when handed out (same
 * inode, size and modification time): no run edited, replaced or removed it since.
 */
export async function unchangedSince(dir: string, stamps: Map<string, FileStamp>): Promise<boolean> {
  let same = true;
  await runBounded([...stamps], FS_CONCURRENCY, async ([p, want]) => {
    if (!same) return;
    const st = await lstat(join(dir, p)).catch(() => null);
    if (!st || !st.isFile() || st.ino !== want.ino || st.size !== want.size || st.mtimeMs !== want.mtimeMs) same = false;
  });
  return same;
}

export type FileStamp = { ino: number; size: number; mtimeMs: number };

/** Every path of `dir` is the very file (inode) the store holds now. */
async function sameFiles(dir: string, store: string, paths: string[], storeInodes?: Map<string, number>): Promise<boolean> {
  let same = true;
  await mapBounded(paths, FS_CONCURRENCY, async (p) => {
    if (!same) return; // one difference decides it; skip the rest
    const [a, b] = await Promise.all([lstat(join(dir, p)).catch(() => null), storeInode(store, p, storeInodes).catch(() => null)]);
    if (!a || !b || a.ino !== b.ino || a.dev !== b.dev) same = false;
  });
  return same;
}

/** A hard link to the store's file; a copy where links are not possible (another file system). */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK' && code !== 'ENOTSUP') throw err;
    await copyFile(from, to);
  }
}
