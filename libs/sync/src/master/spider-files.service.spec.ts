import { ConflictError, NotFoundError } from '@crawlnest/node';
import { ManifestEntry } from '../manifest';
import { SpiderVersionRecord } from '../spider.types';
import { BlobRepository } from './blob.repository';
import { BlobReadCache } from './blob-read.cache';
import { ManifestCache } from './manifest-cache';
import { SpiderFilesService } from './spider-files.service';
import { SpiderRepository } from './spider.repository';
import { SpiderVersionRepository } from './spider-version.repository';
import { SyncMasterOptions } from './sync-master.options';
import { StagedFile } from './upload-staging';

/** In-memory versions of one spider; blobs are always there. */
class FakeStore {
  versions = new Map<number, SpiderVersionRecord>();
  touched: string[] = [];

  latest(): SpiderVersionRecord | null {
    const n = Math.max(0, ...this.versions.keys());
    return this.versions.get(n) ?? null;
  }

  spiderRepo = {
    findById: async () => ({ _id: 's', version: this.latest()?.version ?? 0 }),
    advanceVersion: async () => undefined,
  } as unknown as SpiderRepository;

  versionRepo = {
    latest: async () => this.latest(),
    find: async (_s: string, v: number) => this.versions.get(v) ?? null,
    tryInsert: async (spiderId: string, version: number, files: ManifestEntry[], restoredFrom?: number) => {
      if (this.versions.has(version)) return false;
      this.versions.set(version, { _id: `${spiderId}:${version}`, spiderId, version, files, createdAt: new Date(), restoredFrom });
      return true;
    },
    listForSpider: async () => [...this.versions.values()].map((r) => ({ version: r.version, fileCount: r.files.length, totalBytes: 0, createdAt: r.createdAt })),
  } as unknown as SpiderVersionRepository;

  blobRepo = {
    putFile: async () => undefined,
    exists: async () => true,
    touch: async (ids: string[]) => void this.touched.push(...ids),
  } as unknown as BlobRepository;

  manifests = {
    get: async () => ({ spiderId: 's', version: this.latest()?.version ?? 0, files: this.latest()?.files ?? [] }),
  } as unknown as ManifestCache;
}

const NO_DISK_CACHE = { adopt: async () => undefined } as unknown as BlobReadCache;
const OPTS: SyncMasterOptions = { clusterSecret: 'x', maxUploadBytes: 1e6, maxTotalBytes: 1e7, maxFiles: 100, uploadDir: '/tmp/unused' };
const staged = (path: string, sha256: string, mode?: number): StagedFile => ({ path, file: `/tmp/${sha256}`, size: sha256.length, sha256, mode });

describe('SpiderFilesService versions', () => {
  let store: FakeStore;
  let svc: SpiderFilesService;

  beforeEach(() => {
    store = new FakeStore();
    svc = new SpiderFilesService(store.spiderRepo, store.versionRepo, store.blobRepo, store.manifests, NO_DISK_CACHE, OPTS);
  });

  it('an upload equal to the current tree makes no version and says unchanged', async () => {
    expect(await svc.replaceAll('s', [staged('a', 'h1'), staged('b', 'h2')])).toEqual({ version: 1, fileCount: 2, totalBytes: 4 });
    expect(await svc.replaceAll('s', [staged('b', 'h2'), staged('a', 'h1')])).toEqual({ version: 1, fileCount: 2, totalBytes: 4, unchanged: true });
    expect(await svc.putFile('s', staged('a', 'h1'))).toMatchObject({ version: 1, unchanged: true });
    expect(await svc.putFile('s', staged('a', 'h1', 0o755))).toMatchObject({ version: 2 });
    expect([...store.versions.keys()]).toEqual([1, 2]);
  });

  it('a save based on a version where the file was different is refused naming the version that changed it', async () => {
    await svc.replaceAll('s', [staged('a', 'h1'), staged('b', 'h2')]); // 1
    await svc.putFile('s', staged('b', 'h3')); // 2: b changed
    await svc.putFile('s', staged('c', 'h4')); // 3
    await expect(svc.putFile('s', staged('b', 'h9'), 1)).rejects.toThrow(new ConflictError('"b" changed in version 2 after version 1, the version it was opened at (current version: 3); nothing was saved: reload the file and apply the change again'));
    expect([...store.versions.keys()]).toEqual([1, 2, 3]);
    // `a` did not change since 1: accepted.
    expect(await svc.putFile('s', staged('a', 'h5'), 1)).toMatchObject({ version: 4 });
    // A base version not kept is a conflict too.
    await expect(svc.putFile('s', staged('a', 'h6'), 99)).rejects.toBeInstanceOf(ConflictError);
  });

  it('restore copies the files of a version into a new one, marks its content reused, and is unchanged when already current', async () => {
    await svc.replaceAll('s', [staged('a', 'h1')]);
    await svc.replaceAll('s', [staged('a', 'h2'), staged('b', 'h3')]);
    expect(await svc.restore('s', 1)).toEqual({ version: 3, fileCount: 1, totalBytes: 2 });
    expect(store.versions.get(3)?.files).toEqual(store.versions.get(1)?.files);
    expect(store.versions.get(3)?.restoredFrom).toBe(1);
    expect(store.touched).toEqual(['h1']);
    expect(await svc.restore('s', 1)).toMatchObject({ version: 3, unchanged: true });
    await expect(svc.restore('s', 42)).rejects.toBeInstanceOf(NotFoundError);
  });
});
