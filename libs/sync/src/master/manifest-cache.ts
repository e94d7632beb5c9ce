import { Injectable, Logger } from '@nestjs/common';
import { NotFoundError } from '@crawlnest/node';
import { ManifestEntry } from '../manifest';
import { SpiderVersionRepository } from './spider-version.repository';
import { SpiderRepository } from './spider.repository';

/** How old a read of the spider may answer which version is current (the dispatcher's bound too). */
const CURRENT_READ_MS = 1000;

export type BuiltManifest = { spiderId: string; version: number; files: ManifestEntry[] };

/**
 * Manifests per spider version. Versions are immutable, so a built manifest never goes
 * stale; concurrent requests for one version share one build (singleflight), and only the
 * newest version of each spider is kept.
 */
@Injectable()
export class ManifestCache {
  private readonly log = new Logger(ManifestCache.name);
  private readonly byKey = new Map<string, Promise<BuiltManifest>>();
  private builds = 0;

  constructor(
    private readonly spiders: SpiderRepository,
    private readonly versions: SpiderVersionRepository,
  ) {}

  /** Number of manifests built from the database (for metrics and benchmarks). */
  get buildCount(): number {
    return this.builds;
  }

  /** `version` 0 means the spider's current version. */
  async get(spiderId: string, version: number): Promise<BuiltManifest> {
    const v = version > 0 ? version : await this.currentVersion(spiderId);
    const key = `${spiderId}:${v}`;
    let p = this.byKey.get(key);
    if (!p) {
      p = this.build(spiderId, v);
      this.byKey.set(key, p);
      p.then(
        () => this.dropOlder(spiderId, v),
        () => this.byKey.delete(key), // a failed build is retried by the next request
      );
    }
    return p;
  }

  /**
   * The spider's current version, from a read at most CURRENT_READ_MS old on this replica
   * (SpiderRepository.findRecent, dropped by an upload through this replica): a worker asks for
   * version 0 on every run of a spider without files, and each ask read the spider twice.
   */
  private async currentVersion(spiderId: string): Promise<number> {
    const s = await this.spiders.findRecent(spiderId, CURRENT_READ_MS);
    if (!s) throw new NotFoundError('spider', spiderId);
    return s.version;
  }

  private async build(spiderId: string, version: number): Promise<BuiltManifest> {
    this.builds++;
    if (version === 0) return { spiderId, version, files: [] };
    const rec = await this.versions.find(spiderId, version);
    if (!rec) throw new NotFoundError('spider version', `${spiderId}:${version}`);
    const files = [...rec.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    // One line per build: benchmarks and operators count these to see the cache work.
    this.log.log({ msg: 'manifest built', spiderId, version, files: files.length, builds: this.builds });
    return { spiderId, version, files };
  }

  private dropOlder(spiderId: string, version: number): void {
    for (const key of this.byKey.keys()) {
      const [id, v] = key.split(':');
      if (id === spiderId && Number(v) < version) this.byKey.delete(key);
    }
  }
}
