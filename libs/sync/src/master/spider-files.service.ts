import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { BadInputError, NotFoundError, PayloadTooLargeError } from '@crawlnest/node';
import { assertSafePath } from '../path-check';
import { ManifestEntry, permissionBits } from '../manifest';
import { BlobRepository } from './blob.repository';
import { ManifestCache } from './manifest-cache';
import { SpiderRepository } from './spider.repository';
import { SpiderVersionRepository } from './spider-version.repository';
import { SYNC_MASTER_OPTIONS, SyncMasterOptions } from './sync-master.options';

export type IncomingFile = { path: string; data: Buffer; mode?: number };
export type VersionSummary = { version: number; fileCount: number; totalBytes: number };

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Spider trees as immutable, content-addressed versions. Every change (whole tree or one
 * file) validates all paths first, stores content, then claims the next version number.
 */
@Injectable()
export class SpiderFilesService {
  constructor(
    private readonly spiders: SpiderRepository,
    private readonly versions: SpiderVersionRepository,
    private readonly blobs: BlobRepository,
    private readonly manifests: ManifestCache,
    @Inject(SYNC_MASTER_OPTIONS) private readonly opts: SyncMasterOptions,
  ) {}

  async replaceAll(spiderId: string, files: IncomingFile[]): Promise<VersionSummary> {
    await this.requireSpider(spiderId);
    this.checkTree(files);
    const entries = await this.store(files);
    return this.commit(spiderId, () => entries);
  }

  async manifest(spiderId: string): Promise<{ version: number; files: ManifestEntry[] }> {
    await this.requireSpider(spiderId);
    const m = await this.manifests.get(spiderId, 0);
    return { version: m.version, files: m.files };
  }

  async readFile(spiderId: string, path: string): Promise<Buffer> {
    assertSafePath(path);
    const m = await this.manifest(spiderId);
    const entry = m.files.find((f) => f.path === path);
    if (!entry) throw new NotFoundError('file', path);
    return this.blobs.readAll(entry.sha256);
  }

  async putFile(spiderId: string, file: IncomingFile): Promise<VersionSummary> {
    await this.requireSpider(spiderId);
    this.checkTree([file]);
    const [entry] = await this.store([file]);
    return this.commit(spiderId, (current) => [...current.filter((f) => f.path !== entry.path), entry]);
  }

  async deleteFile(spiderId: string, path: string): Promise<VersionSummary> {
    await this.requireSpider(spiderId);
    assertSafePath(path);
    const current = await this.manifests.get(spiderId, 0);
    if (!current.files.some((f) => f.path === path)) throw new NotFoundError('file', path);
    return this.commit(spiderId, (files) => files.filter((f) => f.path !== path));
  }

  private checkTree(files: IncomingFile[]): void {
    const seen = new Set<string>();
    let total = 0;
    for (const f of files) {
      assertSafePath(f.path);
      if (seen.has(f.path)) throw new BadInputError(`path ${JSON.stringify(f.path)} appears twice`);
      seen.add(f.path);
      total += f.data.length;
    }
    // A file and a directory of the same name cannot both exist on the worker.
    for (const p of seen) {
      const parts = p.split('/');
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join('/');
        if (seen.has(dir)) throw new BadInputError(`path ${JSON.stringify(dir)} is both a file and a directory`);
      }
    }
    if (files.length > this.opts.maxFiles) throw new PayloadTooLargeError(`more than ${this.opts.maxFiles} files`);
    if (total > this.opts.maxTotalBytes) throw new PayloadTooLargeError(`more than ${this.opts.maxTotalBytes} bytes in total`);
  }

  private async store(files: IncomingFile[]): Promise<ManifestEntry[]> {
    const entries: ManifestEntry[] = [];
    for (const f of files) {
      const hash = sha256(f.data);
      await this.blobs.put(hash, f.data);
      entries.push({ path: f.path, size: f.data.length, mode: permissionBits(f.mode), sha256: hash });
    }
    return entries;
  }

  /**
   * Claims version current+1 by inserting it; when a concurrent change took that number,
   * rebases on the newer version and tries the next one.
   */
  private async commit(spiderId: string, next: (current: ManifestEntry[]) => ManifestEntry[]): Promise<VersionSummary> {
    for (let tries = 0; tries < 20; tries++) {
      const latest = await this.versions.latest(spiderId);
      const version = (latest?.version ?? 0) + 1;
      const files = next(latest?.files ?? []);
      if (await this.versions.tryInsert(spiderId, version, files)) {
        const totalBytes = files.reduce((n, f) => n + f.size, 0);
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
