import { Injectable } from '@nestjs/common';
import { NotFoundError } from '@crawlnest/node';
import { ManifestEntry } from '../manifest';
import { assertSafePath } from '../path-check';
import { TEXT_DIFF_MAX_BYTES, unifiedTextDiff } from '../text-diff';
import { diffVersions } from '../version-diff';
import { BlobRepository } from './blob.repository';
import { FileContent } from './spider-files.service';
import { SpiderRepository } from './spider.repository';
import { SpiderVersionRepository } from './spider-version.repository';

export type ChangedFile = { path: string; from: ManifestEntry; to: ManifestEntry; diff?: string };
export type VersionDiffView = { from: number; to: number; added: ManifestEntry[]; removed: ManifestEntry[]; changed: ChangedFile[] };

/** Reading the versions a spider keeps: their manifests, their files, what changed between two. */
@Injectable()
export class SpiderVersionsService {
  constructor(
    private readonly spiders: SpiderRepository,
    private readonly versions: SpiderVersionRepository,
    private readonly blobs: BlobRepository,
  ) {}

  /** Every file of `version`, sorted by path; 404 for a version never made or dropped by retention. */
  async files(spiderId: string, version: number): Promise<ManifestEntry[]> {
    if (!(await this.spiders.findById(spiderId))) throw new NotFoundError('spider', spiderId);
    const rec = await this.versions.find(spiderId, version);
    if (!rec) throw new NotFoundError('spider version', `${spiderId}:${version}`);
    return rec.files
      .map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, mode: f.mode }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** One file of `version`, streamed chunk by chunk. */
  async readFile(spiderId: string, version: number, path: string): Promise<FileContent> {
    assertSafePath(path);
    const entry = (await this.files(spiderId, version)).find((f) => f.path === path);
    if (!entry) throw new NotFoundError('file', `${path} in version ${version}`);
    return { size: entry.size, chunks: this.blobs.read(entry.sha256) };
  }

  /** Every file of `version` with a way to stream its content (read one file at a time, when asked). */
  async contents(spiderId: string, version: number): Promise<{ entry: ManifestEntry; read: () => AsyncIterable<Buffer> }[]> {
    const files = await this.files(spiderId, version);
    return files.map((entry) => ({ entry, read: () => this.blobs.read(entry.sha256) }));
  }

  /** Files added, removed and changed from `a` to `b`, with a unified diff for changed text files under 1 MiB. */
  async diff(spiderId: string, a: number, b: number): Promise<VersionDiffView> {
    const [from, to] = await Promise.all([this.files(spiderId, a), this.files(spiderId, b)]);
    const d = diffVersions(from, to);
    const changed: ChangedFile[] = [];
    for (const c of d.changed) {
      const small = c.from.size < TEXT_DIFF_MAX_BYTES && c.to.size < TEXT_DIFF_MAX_BYTES && c.from.sha256 !== c.to.sha256;
      const diff = small
        ? unifiedTextDiff(c.path, await this.blobs.readAll(c.from.sha256), await this.blobs.readAll(c.to.sha256), `version ${a}`, `version ${b}`)
        : undefined;
      changed.push(diff === undefined ? c : { ...c, diff });
    }
    return { from: a, to: b, added: d.added, removed: d.removed, changed };
  }
}
