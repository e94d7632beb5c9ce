import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Immutable per-version run directories: `<spider root>/versions/<version>`, built from the
 * synced store (`files/`) with hard links, so a run sees exactly the version it was given
 * from start to end while a newer version syncs into the store beside it. The store never
 * writes into a file in place (downloads and mode changes land in a new file renamed over
 * the old name), so a linked file keeps its content for as long as a run directory holds it.
 *
 * Each run holds a reference; a version directory no run holds is removed, except the
 * spider's newest (the next run most likely wants it). Disk use is bounded by the versions in
 * use at once, and links cost no content bytes.
 */
export class RunDirectories {
  private readonly log = new Logger(RunDirectories.name);
  /** `<root>|<version>` → runs holding it. */
  private readonly refs = new Map<string, number>();
  /** root → the newest version built there (kept when unreferenced). */
  private readonly newest = new Map<string, number>();

  dirOf(root: string, version: number): string {
    return join(root, 'versions', String(version));
  }

  /**
   * Makes sure the version's directory exists, built from `store` with exactly `paths`, and
   * removes the spider's other version directories that no run holds. Must run while the
   * store holds that version (the caller serialises syncs per spider).
   */
  async ensure(root: string, store: string, version: number, paths: string[]): Promise<string> {
    const target = this.dirOf(root, version);
    const versions = join(root, 'versions');
    await mkdir(versions, { recursive: true });
    const present = await readdir(versions);
    if (!present.includes(String(version))) {
      const tmp = join(versions, `.tmp-${version}-${randomBytes(4).toString('hex')}`);
      try {
        await mkdir(tmp);
        for (const p of paths) await linkOrCopy(join(store, p), join(tmp, p));
        await rename(tmp, target);
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        throw err;
      }
    }
    this.newest.set(root, version);
    for (const name of present) {
      if (name === String(version)) continue;
      if (name.startsWith('.tmp-') || (/^\d+$/.test(name) && !this.refs.get(`${root}|${name}`))) await this.remove(join(versions, name));
    }
    return target;
  }

  /** A run starts using the directory; call the returned function when it ends. */
  acquire(root: string, version: number): () => void {
    const key = `${root}|${version}`;
    this.refs.set(key, (this.refs.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.refs.get(key) ?? 1) - 1;
      if (n > 0) {
        this.refs.set(key, n);
        return;
      }
      this.refs.delete(key);
      if (this.newest.get(root) !== version) void this.remove(this.dirOf(root, version));
    };
  }

  private async remove(dir: string): Promise<void> {
    try {
      await rm(dir, { recursive: true, force: true });
    } catch (err) {
      this.log.warn({ msg: 'removing an unused version directory failed', dir, err: String(err) });
    }
  }
}

/** A hard link to the store's file; a copy where links are not possible (another file system). */
async function linkOrCopy(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  try {
    await link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK' && code !== 'ENOTSUP') throw err;
    await copyFile(from, to);
  }
}
