import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { BadInputError, ConflictError, NotFoundError, PayloadTooLargeError } from '@crawlnest/node';
import { assertSafePath } from '../path-check';
import { ManifestEntry, permissionBits } from '../manifest';
import { sameEntry, sameTree } from '../version-diff';
import { BlobRepository } from './blob.repository';
import { BlobReadCache } from './blob-read.cache';
import { ManifestCache } from './manifest-cache';
import { SpiderRepository } from './spider.repository';
import { SpiderVersionRepository } from './spider-version.repository';
import { SYNC_MASTER_OPTIONS, SyncMasterOptions } from './sync-master.options';
import { clearStagingDir, removeStaged, StagedFile, stageStream } from './upload-staging';
import { applyFileChanges, FileChange, rebaseFileChanges } from '../file-changes';
import { Readable } from 'node:stream';

/** `unchanged`: the change left the tree as it was, so no version was made (`version` is the current one). */
export type VersionSummary = { version: number; fileCount: number; totalBytes: number; unchanged?: true };
export type VersionListEntry = { version: number; fileCount: number; totalBytes: number; createdAt: string; restoredFrom: number | null };
export type FileContent = { size: number; chunks: AsyncIterable<Buffer> };

/**
 * Spider trees as immutable, content-addressed versions. Every change (whole tree or one
 * file) validates all paths first, stores content, then claims the next version number.
 */
@Injectable()
export class SpiderFilesService implements OnApplicationBootstrap {
  private readonly log = new Logger(SpiderFilesService.name);

  constructor(
    private readonly spiders: SpiderRepository,
    private readonly versions: SpiderVersionRepository,
    private readonly blobs: BlobRepository,
    private readonly manifests: ManifestCache,
    private readonly contentCache: BlobReadCache,
    @Inject(SYNC_MASTER_OPTIONS) private readonly opts: SyncMasterOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const removed = await clearStagingDir(this.opts.uploadDir);
    if (removed > 0) this.log.log({ msg: 'removed stale upload staging files', removed, dir: this.opts.uploadDir });
  }

  /**
   * Content goes to the database only after every path and limit passed; a refusal
   * stores nothing. A database failure half-way can leave blobs no version references
   * (harmless: content-addressed, reused by the next upload of the same bytes).
   */
  async replaceAll(spiderId: string, files: StagedFile[]): Promise<VersionSummary> {
    await this.requireSpider(spiderId);
    this.checkTree(files);
    const entries = await this.store(files);
    const summary = await this.commit(spiderId, () => entries);
    await this.restoreCollected(files);
    return summary;
  }

  async manifest(spiderId: string): Promise<{ version: number; files: ManifestEntry[] }> {
    await this.requireSpider(spiderId);
    const m = await this.manifests.get(spiderId, 0);
    return { version: m.version, files: m.files };
  }

  /** The versions the spider still keeps (retention, docs/consistency.md), newest first. */
  async listVersions(spiderId: string): Promise<VersionListEntry[]> {
    await this.requireSpider(spiderId);
    const rows = await this.versions.listForSpider(spiderId);
    return rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString(), restoredFrom: r.restoredFrom ?? null }));
  }

  /** The file's content as a stream of stored chunks, never the whole file in memory. */
  async readFile(spiderId: string, path: string): Promise<FileContent> {
    assertSafePath(path);
    const m = await this.manifest(spiderId);
    const entry = m.files.find((f) => f.path === path);
    if (!entry) throw new NotFoundError('file', path);
    return { size: entry.size, chunks: this.blobs.read(entry.sha256) };
  }

  /**
   * Writes one file. With `baseVersion` (the version the writer read the file at) the write is
   * refused when the file differs now from what it was then: someone else saved it meanwhile.
   * The check runs against the tree the new version is built on, so a racing save is seen too.
   */
  async putFile(spiderId: string, file: StagedFile, baseVersion?: number): Promise<VersionSummary> {
    await this.requireSpider(spiderId);
    this.checkTree([file]);
    // Against the current tree too: `a/b` where `a` is a file (or the reverse) would make
    // a version no worker can write.
    const current = await this.manifests.get(spiderId, 0);
    checkFileDirConflicts(new Set([...current.files.map((f) => f.path), file.path]));
    const base = baseVersion === undefined ? undefined : await this.entryAt(spiderId, baseVersion, file.path);
    const [entry] = await this.store([file]);
    let summary: VersionSummary;
    try {
      summary = await this.commit(spiderId, (files, version) => {
        if (base && !sameEntry(files.find((f) => f.path === entry.path), base.entry)) throw new StaleBase(version);
        return [...files.filter((f) => f.path !== entry.path), entry];
      });
    } catch (err) {
      if (err instanceof StaleBase && base) throw await this.staleBaseError(spiderId, file.path, base.version, err.current, base.entry);
      throw err;
    }
    await this.restoreCollected([file]);
    return summary;
  }

  /**
   * Applies a batch of changes (put, delete, move, mkdir) read at `baseVersion` as ONE new
   * version. Everything is checked before any content is stored. The batch is laid over the
   * current tree: refused (409) when a path it touches changed after the base, so nobody's
   * newer save is overwritten; other files changed meanwhile are kept.
   */
  async applyChanges(spiderId: string, baseVersion: number, changes: FileChange[], staged: StagedFile[]): Promise<VersionSummary> {
    await this.requireSpider(spiderId);
    if (changes.length === 0) throw new BadInputError('changes: expected at least one change');
    this.checkTree(staged);
    const named = new Set(changes.filter((c) => c.op === 'put').map((c) => (c as { path: string }).path));
    const stray = staged.find((f) => !named.has(f.path));
    if (stray) throw new BadInputError(`upload part ${JSON.stringify(stray.path)} is named by no put change; nothing was changed`);
    const base = await this.versions.find(spiderId, baseVersion);
    if (!base) throw new ConflictError(`version ${baseVersion} is not kept any more (or never existed): reload the files and apply the changes again`);
    const puts = new Map(staged.map((f) => [f.path, { path: f.path, size: f.size, mode: permissionBits(f.mode), sha256: f.sha256 }]));
    const keep = { path: '', size: 0, mode: 0o644, sha256: EMPTY_SHA256 };
    const result = applyFileChanges(base.files, changes, puts, keep);
    checkFileDirConflicts(new Set(result.files.map((f) => f.path)));
    if (result.files.length > this.opts.maxFiles) throw new PayloadTooLargeError(`more than ${this.opts.maxFiles} files`);
    if (result.files.reduce((n, f) => n + f.size, 0) > this.opts.maxTotalBytes) throw new PayloadTooLargeError(`more than ${this.opts.maxTotalBytes} bytes in total`);
    await this.store(staged);
    if (result.files.some((f) => f.sha256 === EMPTY_SHA256)) await this.storeEmpty();
    // Moved files keep their content: marked as reused so the collector spares it.
    await this.blobs.touch([...new Set(result.files.filter((f) => result.changed.has(f.path)).map((f) => f.sha256))]);
    let summary: VersionSummary;
    try {
      summary = await this.commit(spiderId, (files, version) => {
        const merged = rebaseFileChanges(base.files, files, result);
        if (!merged) throw new StaleBase(version);
        checkFileDirConflicts(new Set(merged.map((f) => f.path)));
        return merged;
      });
    } catch (err) {
      if (err instanceof StaleBase) {
        throw new ConflictError(
          `a file these changes touch changed after version ${baseVersion}, the version they were made on (current version: ${err.current}); nothing was saved: reload the files and apply the changes again`,
        );
      }
      throw err;
    }
    await this.restoreCollected(staged);
    return summary;
  }

  private async storeEmpty(): Promise<void> {
    if (await this.blobs.exists(EMPTY_SHA256)) return;
    const empty = await stageStream(Readable.from([]), this.opts.uploadDir, 0, 'empty file');
    try {
      await this.blobs.putFile(empty.sha256, empty.file, 0);
    } finally {
      await removeStaged([empty]);
    }
  }

  /**
   * Makes a new version holding exactly the files of `version` (history only grows); nothing
   * is made when the current tree already is that.
   */
  async restore(spiderId: string, version: number): Promise<VersionSummary> {
    await this.requireSpider(spiderId);
    const rec = await this.versions.find(spiderId, version);
    if (!rec) throw new NotFoundError('spider version', `${spiderId}:${version}`);
    // Marked as reused: the collector spares them even if retention drops `version` meanwhile.
    await this.blobs.touch(rec.files.map((f) => f.sha256));
    return this.commit(spiderId, () => rec.files, version);
  }

  /** The file at `path` in `version` (undefined entry: the version has no such file). */
  private async entryAt(spiderId: string, version: number, path: string): Promise<{ version: number; entry: ManifestEntry | undefined }> {
    const rec = await this.versions.find(spiderId, version);
    if (!rec) throw new ConflictError(`version ${version} is not kept any more (or never existed): reload ${JSON.stringify(path)} and apply the change again`);
    return { version, entry: rec.files.find((f) => f.path === path) };
  }

  /** Names the first kept version after `base` where the file changed (the current one at worst). */
  private async staleBaseError(spiderId: string, path: string, base: number, current: number, was: ManifestEntry | undefined): Promise<ConflictError> {
    let changedIn = current;
    // Only the versions retention kept (few), oldest first: numbers in between may be long gone.
    const kept = (await this.versions.listForSpider(spiderId)).map((r) => r.version).filter((v) => v > base && v < current).sort((a, b) => a - b);
    for (const v of kept) {
      const rec = await this.versions.find(spiderId, v);
      if (rec && !sameEntry(rec.files.find((f) => f.path === path), was)) {
        changedIn = v;
        break;
      }
    }
    return new ConflictError(
      `${JSON.stringify(path)} changed in version ${changedIn} after version ${base}, the version it was opened at (current version: ${current}); nothing was saved: reload the file and apply the change again`,
    );
  }

  /**
   * The collector may have taken reused content between this upload's check and its version
   * insert (the version was not there yet to mark it). The staged files are still on disk:
   * store again whatever is missing now that the version references it.
   */
  private async restoreCollected(files: StagedFile[]): Promise<void> {
    for (const f of files) {
      if (await this.blobs.exists(f.sha256)) continue;
      this.log.warn({ msg: 'content collected during its upload; storing it again', sha256: f.sha256 });
      await this.blobs.putFile(f.sha256, f.file, f.size);
    }
  }

  async deleteFile(spiderId: string, path: string): Promise<VersionSummary> {
    await this.requireSpider(spiderId);
    assertSafePath(path);
    const current = await this.manifests.get(spiderId, 0);
    if (!current.files.some((f) => f.path === path)) throw new NotFoundError('file', path);
    return this.commit(spiderId, (files) => files.filter((f) => f.path !== path));
  }

  private checkTree(files: StagedFile[]): void {
    const seen = new Set<string>();
    let total = 0;
    for (const f of files) {
      assertSafePath(f.path);
      if (seen.has(f.path)) throw new BadInputError(`path ${JSON.stringify(f.path)} appears twice`);
      seen.add(f.path);
      total += f.size;
    }
    checkFileDirConflicts(seen);
    if (files.length > this.opts.maxFiles) throw new PayloadTooLargeError(`more than ${this.opts.maxFiles} files`);
    if (total > this.opts.maxTotalBytes) throw new PayloadTooLargeError(`more than ${this.opts.maxTotalBytes} bytes in total`);
  }

  private async store(files: StagedFile[]): Promise<ManifestEntry[]> {
    const entries: ManifestEntry[] = [];
    for (const f of files) {
      await this.blobs.putFile(f.sha256, f.file, f.size);
      // The staged file was hashed on its way in: it becomes the disk-cached copy workers
      // download from, so a cold sync after an upload reads no content from the database.
      await this.contentCache.adopt(f.sha256, f.file, f.size);
      entries.push({ path: f.path, size: f.size, mode: permissionBits(f.mode), sha256: f.sha256 });
    }
    return entries;
  }

  /**
   * Claims version current+1 by inserting it; when a concurrent change took that number,
   * rebases on the newer version and tries the next one. A tree equal to the current one is
   * no version (the answer says `unchanged`, workers have nothing to sync). `next` may throw
   * to refuse the change on the tree it would build on.
   */
  private async commit(spiderId: string, next: (current: ManifestEntry[], version: number) => ManifestEntry[], restoredFrom?: number): Promise<VersionSummary> {
    for (let tries = 0; tries < 20; tries++) {
      const latest = await this.versions.latest(spiderId);
      const files = next(latest?.files ?? [], latest?.version ?? 0);
      const totalBytes = files.reduce((n, f) => n + f.size, 0);
      if (latest && sameTree(latest.files, files)) return { version: latest.version, fileCount: files.length, totalBytes, unchanged: true };
      const version = (latest?.version ?? 0) + 1;
      if (await this.versions.tryInsert(spiderId, version, files, restoredFrom)) {
        await this.spiders.advanceVersion(spiderId, version, files.length, totalBytes);
        return { version, fileCount: files.length, totalBytes };
      }
    }
    throw new Error(`could not claim a new version of spider ${spiderId}: too much contention`);
  }

  private async requireSpider(id: string): Promise<void> {
    if (!(await this.spiders.findById(id))) throw new NotFoundError('spider', id);
  }
}

/** sha256 of no bytes: the content of a folder's `.keep` marker. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Thrown inside a commit: the file changed after the writer's base version (`current` holds the change). */
class StaleBase extends Error {
  constructor(readonly current: number) {
    super(`file changed since the base version (current version ${current})`);
  }
}

/** A file and a directory of the same name cannot both exist on the worker. */
function checkFileDirConflicts(paths: Set<string>): void {
  for (const p of paths) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (paths.has(dir)) throw new BadInputError(`path ${JSON.stringify(dir)} is both a file and a directory`);
    }
  }
}
