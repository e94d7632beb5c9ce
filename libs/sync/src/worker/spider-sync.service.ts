import { Injectable, Logger } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import { chmod, copyFile, lstat, mkdir, realpath, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { backoffDelay, MasterLinkClient } from '@crawlnest/node';
import { diffManifest, LocalEntry, ManifestEntry } from '../manifest';
import { pathProblem } from '../path-check';
import { readLocalIndex, writeLocalIndex } from './local-index';
import { ContentMismatchError, VerifiedFileWriter } from './verified-file.writer';
import { downloadJobs } from './download-jobs';
import { FS_CONCURRENCY, mapBounded, runBounded } from './bounded';
import { FileStamp, RunDirectories, unchangedSince } from './run-directories';

export type SyncStats = {
  filesTotal: number;
  filesTransferred: number;
  bytesTransferred: number;
  filesDeleted: number;
  durationMs: number;
};

export type SyncResult = { dir: string; version: number; stats: SyncStats };

/** A synced version held for one run: its directory stays as it is until `release()`. */
export type HeldSync = SyncResult & { release: () => void };

/** A sync failure; the task fails with `file sync failed: <message>` and never runs. */
export class SyncError extends Error {}


const PARALLEL_DOWNLOADS = 8;
const DOWNLOAD_TRIES = 4;
const MASTER_WAIT_MS = 10_000;

/**
 * Brings `<workspace>/spiders/<id>/files` to exactly a spider version before a run:
 * fetch the manifest, download only content the local index lacks, verify sha256, write
 * to a temp file and rename, apply modes, delete what the version no longer has.
 * One sync per spider at a time on this worker; concurrent callers share it.
 */
@Injectable()
export class SpiderSyncService {
  private readonly log = new Logger(SpiderSyncService.name);
  private readonly inflight = new Map<string, Promise<SyncResult>>();
  private readonly runDirs = new RunDirectories();
  /** Per spider: the run directory the last sync handed out, and its files as they were then. */
  private readonly lastSynced = new Map<string, { version: number; dir: string; stamps: Map<string, FileStamp> }>();
  /** Per spider: the version the last finished sync produced (kept while the next one runs, unlike lastSynced). */
  private readonly lastVersion = new Map<string, number>();

  constructor(private readonly link: MasterLinkClient) {}

  spiderRoot(workspace: string, spiderId: string): string {
    return join(workspace, 'spiders', spiderId);
  }

  /**
   * Whether this worker's last sync of the spider produced `version`: its next sync is a local
   * check (the manifest against the files in place), milliseconds. A hint for the caller's
   * planning only; `sync` still verifies.
   */
  holds(spiderId: string, version: number): boolean {
    return this.lastVersion.get(spiderId) === version;
  }

  /**
   * Syncs and holds the version's run directory (`<root>/versions/<v>.<n>`) for one run: it does
   * not change while held, whatever syncs meanwhile. The caller releases it when the run ends.
   */
  async sync(workspace: string, spiderId: string, version: number): Promise<HeldSync> {
    const key = `${spiderId}`;
    const root = this.spiderRoot(workspace, spiderId);
    for (;;) {
      const running = this.inflight.get(key);
      if (!running) break;
      const r = await running.catch(() => undefined);
      // Reuse the sync that just finished when it produced the version we need (held at
      // once, before another sync can clean its directory up).
      if (r && r.version === version) {
        return { ...r, stats: { ...r.stats, filesTransferred: 0, bytesTransferred: 0, filesDeleted: 0 }, release: this.runDirs.acquire(root, r.dir) };
      }
    }
    const p = this.doSync(workspace, spiderId, version);
    this.inflight.set(key, p);
    try {
      const r = await p;
      this.lastVersion.set(spiderId, r.version);
      return { ...r, release: this.runDirs.acquire(root, r.dir) };
    } finally {
      this.inflight.delete(key);
    }
  }

  private async doSync(workspace: string, spiderId: string, version: number): Promise<SyncResult> {
    const started = Date.now();
    if (!/^[0-9a-f]{24}$/.test(spiderId)) throw new SyncError(`bad spider id ${spiderId}`);
    const root = this.spiderRoot(workspace, spiderId);
    // Warm: the version the task names is the one handed out last and its directory is as it
    // was (no run edited, replaced or removed a file): nothing to ask the master, nothing to do.
    const last = this.lastSynced.get(spiderId);
    if (version > 0 && last?.version === version && (await unchangedSince(last.dir, last.stamps))) {
      this.log.log({ msg: 'spider synced', spiderId, version, files: last.stamps.size, fetched: 0, unchanged: true, checkMs: Date.now() - started });
      return {
        dir: last.dir,
        version,
        stats: { filesTotal: last.stamps.size, filesTransferred: 0, bytesTransferred: 0, filesDeleted: 0, durationMs: Date.now() - started },
      };
    }
    this.lastSynced.delete(spiderId);
    const dir = join(root, 'files');
    const indexFile = join(root, 'index.json');
    await mkdir(dir, { recursive: true });
    const manifest = await this.withRetry('manifest', () => this.fetchManifest(spiderId, version));
    const manifestAt = Date.now();
    for (const e of manifest.files) {
      const problem = pathProblem(e.path);
      if (problem) throw new SyncError(`manifest path ${JSON.stringify(e.path)} ${problem}`);
    }
    const index = await readLocalIndex(indexFile);
    const inodes = new Map<string, number>();
    const local = await this.verifiedLocal(dir, index.files, inodes);
    const diff = diffManifest(manifest.files, local);
    const checkedAt = Date.now();

    // Before touching a file, forget it in the index; the full index is written only once
    // everything is in place. A sync cut short then leaves an index that under-reports
    // (the next sync re-fetches) and never one that vouches for content it did not check.
    const touched = new Set([...diff.download.map((e) => e.path), ...diff.chmod.map((e) => e.path), ...diff.remove]);
    if (touched.size > 0) {
      const kept: Record<string, LocalEntry> = {};
      for (const [p, e] of local) if (!touched.has(p)) kept[p] = e;
      await writeLocalIndex(indexFile, { version: 0, files: kept });
    }
    // Removals first: a file of the old version may stand where the new one has a directory.
    for (const p of diff.remove) {
      if (pathProblem(p)) continue; // never act on a path we would not have written
      await rm(await this.safeTarget(dir, p), { force: true });
      await pruneEmptyParents(dir, p);
    }
    let bytes = 0;
    await runBounded(downloadJobs(diff.download), PARALLEL_DOWNLOADS, async (job) => {
      if (job.length === 1) await this.withRetry(`download ${job[0].path}`, () => this.downloadTo(dir, job[0]));
      else {
        const pending = [...job]; // shrinks as files land, so a retry fetches only the rest
        await this.withRetry(`download ${job[0].path} and ${job.length - 1} more`, () => this.downloadBatch(dir, pending));
      }
      bytes += job.reduce((n, e) => n + e.size, 0);
    });
    const downloadedAt = Date.now();
    // A mode change lands in a copy renamed over the file: the old inode may be linked into a
    // run directory of an older version, which must keep its mode.
    for (const e of diff.chmod) await chmodByCopy(await this.safeTarget(dir, e.path), e.mode & 0o777);
    const files: Record<string, LocalEntry> = {};
    // Files this sync left alone keep the modification time and inode verifiedLocal just checked.
    const stamps = await mapBounded(manifest.files, FS_CONCURRENCY, async (e): Promise<FileStamp> => {
      const mtimeMs = touched.has(e.path) ? undefined : local.get(e.path)?.mtimeMs;
      const ino = inodes.get(e.path);
      if (mtimeMs !== undefined && ino !== undefined) return { ino, size: e.size, mtimeMs };
      const st = await lstat(join(dir, e.path));
      return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    });
    manifest.files.forEach((e, i) => {
      files[e.path] = { size: e.size, sha256: e.sha256, mode: e.mode & 0o777, mtimeMs: stamps[i].mtimeMs };
    });
    await writeLocalIndex(indexFile, { version: manifest.version, files });
    const indexedAt = Date.now();
    const runDir = await this.runDirs.ensure(
      root,
      dir,
      manifest.version,
      manifest.files.map((e) => e.path),
      new Map(manifest.files.map((e, i) => [e.path, stamps[i].ino])),
    );
    // The run directory links the store's files, so their stamps are its files' stamps.
    this.lastSynced.set(spiderId, { version: manifest.version, dir: runDir, stamps: new Map(manifest.files.map((e, i) => [e.path, stamps[i]])) });
    // Where a sync's time went, phase by phase (the sync-tree bench and operators read these).
    this.log.log({
      msg: 'spider synced',
      spiderId,
      version: manifest.version,
      files: manifest.files.length,
      fetched: diff.download.length,
      manifestMs: manifestAt - started,
      localCheckMs: checkedAt - manifestAt,
      downloadMs: downloadedAt - checkedAt,
      indexMs: indexedAt - downloadedAt,
      runDirMs: Date.now() - indexedAt,
    });
    return {
      dir: runDir,
      version: manifest.version,
      stats: {
        filesTotal: manifest.files.length,
        filesTransferred: diff.download.length,
        bytesTransferred: bytes,
        filesDeleted: diff.remove.length,
        durationMs: Date.now() - started,
      },
    };
  }

  /**
   * Index entries whose file is gone, is no longer a regular file, or changed size or
   * modification time since we wrote it (a script edited it) are dropped, so they get
   * downloaded again. Cheaper than hashing every file before every run.
   */
  private async verifiedLocal(dir: string, files: Record<string, LocalEntry>, inodes: Map<string, number>): Promise<Map<string, LocalEntry>> {
    const out = new Map<string, LocalEntry>();
    const entries = Object.entries(files).filter(([p]) => !pathProblem(p));
    const stats = await mapBounded(entries, FS_CONCURRENCY, ([p]) =>
      lstat(join(dir, p)).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null; // gone: downloaded again
        throw err;
      }),
    );
    entries.forEach(([p, e], i) => {
      const st = stats[i];
      if (st && st.isFile() && st.size === e.size && (e.mtimeMs === undefined || st.mtimeMs === e.mtimeMs)) {
        out.set(p, { ...e, mode: st.mode & 0o777 });
        inodes.set(p, st.ino);
      }
    });
    return out;
  }

  /** Resolves `rel` under `dir` and refuses anything that would land outside it. */
  private async safeTarget(dir: string, rel: string): Promise<string> {
    const base = await realpath(dir);
    const target = resolve(base, rel);
    const r = relative(base, target);
    if (r === '' || r.startsWith('..') || r.startsWith(sep)) throw new SyncError(`path ${rel} escapes the spider directory`);
    // A parent that is a symlink (made by a previous run's script) could still point out.
    let parent = dirname(target);
    await mkdir(parent, { recursive: true });
    parent = await realpath(parent);
    const rp = relative(base, parent);
    if (rp.startsWith('..') || rp.startsWith(sep)) throw new SyncError(`path ${rel} escapes the spider directory`);
    return join(parent, basename(target));
  }

  private async fetchManifest(spiderId: string, version: number): Promise<{ version: number; files: ManifestEntry[] }> {
    const clients = await this.link.waitConnected(MASTER_WAIT_MS);
    const call = (clients.sync as unknown as {
      GetManifest(req: unknown, md: grpc.Metadata): grpc.ClientReadableStream<{ version: number; totalFiles: number; entries: ManifestEntry[] }>;
    }).GetManifest({ spiderId, version }, this.link.metadata);
    const files: ManifestEntry[] = [];
    let got = version;
    let total = -1;
    for await (const chunk of call) {
      got = chunk.version;
      total = chunk.totalFiles;
      for (const e of chunk.entries) files.push({ path: e.path, size: Number(e.size), mode: e.mode, sha256: e.sha256 });
    }
    if (total !== files.length) throw new SyncError(`manifest incomplete: ${files.length} of ${total} entries`);
    return { version: got, files };
  }

  /** One file in its own call: large files, streamed chunk by chunk. */
  private async downloadTo(dir: string, e: ManifestEntry): Promise<void> {
    const clients = await this.link.waitConnected(MASTER_WAIT_MS);
    const writer = new VerifiedFileWriter(e, dirname(await this.safeTarget(dir, e.path)));
    try {
      const call = (clients.sync as unknown as {
        Download(req: unknown, md: grpc.Metadata): grpc.ClientReadableStream<{ data: Buffer }>;
      }).Download({ sha256: e.sha256 }, this.link.metadata);
      for await (const chunk of call) await writer.write(chunk.data);
      // Checked again just before the rename: a script of a running task may have swapped
      // a parent directory for a link since safeTarget looked.
      await writer.commit(() => this.safeTarget(dir, e.path));
    } catch (err) {
      await writer.discard();
      throw err;
    }
  }

  /**
   * Several small files in one DownloadMany call. Files are committed as their last chunk
   * arrives and removed from `pending`, so a retry after a cut fetches only the rest.
   */
  private async downloadBatch(dir: string, pending: ManifestEntry[]): Promise<void> {
    if (pending.length === 0) return;
    const clients = await this.link.waitConnected(MASTER_WAIT_MS);
    const batch = [...pending];
    let writer: VerifiedFileWriter | null = null;
    let next = 0;
    try {
      const call = (clients.sync as unknown as {
        DownloadMany(req: unknown, md: grpc.Metadata): grpc.ClientReadableStream<{ data: Buffer; item: number; itemEnd: boolean }>;
      }).DownloadMany({ sha256: batch.map((e) => e.sha256) }, this.link.metadata);
      for await (const chunk of call) {
        if (chunk.item !== next) throw new ContentMismatchError(`DownloadMany sent item ${chunk.item}, expected ${next}`);
        const e = batch[next];
        writer ??= new VerifiedFileWriter(e, dirname(await this.safeTarget(dir, e.path)));
        await writer.write(chunk.data);
        if (chunk.itemEnd) {
          await writer.commit(() => this.safeTarget(dir, e.path));
          writer = null;
          pending.splice(pending.indexOf(e), 1);
          next++;
        }
      }
      if (next !== batch.length) throw new ContentMismatchError(`DownloadMany ended after ${next} of ${batch.length} files`);
    } catch (err) {
      await writer?.discard();
      throw err;
    }
  }

  /** Transient failures (link down, master restarting) are retried with backoff. */
  private async withRetry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const transient = !(err instanceof SyncError) && isTransient(err);
        if (!transient || attempt + 1 >= DOWNLOAD_TRIES) {
          throw err instanceof SyncError ? err : new SyncError(`${what}: ${errorText(err)}`);
        }
        this.log.warn({ msg: 'sync step failed, retrying', what, attempt, err: errorText(err) });
        await new Promise((r) => setTimeout(r, backoffDelay(attempt, 200, 2000)));
      }
    }
  }
}

function isTransient(err: unknown): boolean {
  const code = (err as { code?: number }).code;
  if (err instanceof ContentMismatchError) return true;
  if (code === undefined) return true; // local I/O or link wait: worth another try
  return [grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED, grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.RESOURCE_EXHAUSTED].includes(code);
}

/** Removes the directories a deleted file leaves empty, up to (not including) the spider dir. */
async function pruneEmptyParents(dir: string, rel: string): Promise<void> {
  for (let d = dirname(rel); d !== '.' && d !== ''; d = dirname(d)) {
    try {
      await rmdir(join(dir, d));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOENT' || code === 'ENOTDIR') return;
      throw err;
    }
  }
}

async function chmodByCopy(file: string, mode: number): Promise<void> {
  const tmp = `${file}.chmod-${process.pid}-${Date.now()}`;
  await copyFile(file, tmp);
  await chmod(tmp, mode);
  await rename(tmp, file);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
