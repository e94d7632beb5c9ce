import { NotFoundError } from '@crawlnest/node';
import { Logger } from '@nestjs/common';
import { ManifestEntry } from '../manifest';
import { SpiderVersionRecord } from '../spider.types';
import { ManifestCache } from './manifest-cache';
import { SpiderRepository } from './spider.repository';
import { SpiderVersionRepository } from './spider-version.repository';

/** A counting fake of the two repositories; version reads wait until `release()`. */
class FakeStore {
  current = 1;
  versionReads = 0;
  failNext = false;
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;

  hold(): void {
    this.gate = new Promise((r) => (this.open = r));
  }
  release(): void {
    this.open();
  }

  spiders = {
    findById: async (id: string) => (id === 'missing' ? null : { _id: id, version: this.current }),
    findRecent: async (id: string) => (id === 'missing' ? null : { _id: id, version: this.current }),
  } as unknown as SpiderRepository;

  versions = {
    find: async (spiderId: string, version: number): Promise<SpiderVersionRecord | null> => {
      this.versionReads++;
      await this.gate;
      if (this.failNext) {
        this.failNext = false;
        throw new Error('database hiccup');
      }
      const files: ManifestEntry[] = [{ path: `v${version}.txt`, size: 1, mode: 0o644, sha256: 'h' }];
      return { _id: `${spiderId}:${version}`, spiderId, version, files, createdAt: new Date() };
    },
  } as unknown as SpiderVersionRepository;
}

describe('ManifestCache: one build per version, shared by concurrent requests', () => {
  let store: FakeStore;
  let cache: ManifestCache;
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    store = new FakeStore();
    cache = new ManifestCache(store.spiders, store.versions);
  });

  it('50 concurrent requests for the current version cost one build and get the same manifest', async () => {
    store.hold();
    const all = Array.from({ length: 50 }, () => cache.get('s1', 0));
    // Let every request reach the in-flight build before it completes.
    await new Promise((r) => setImmediate(r));
    store.release();
    const got = await Promise.all(all);
    expect(cache.buildCount).toBe(1);
    expect(store.versionReads).toBe(1);
    expect(new Set(got).size).toBe(1);
    expect(got[0]).toMatchObject({ version: 1, files: [{ path: 'v1.txt' }] });
  });

  it('serves later requests for a built version from the cache', async () => {
    await cache.get('s1', 0);
    await cache.get('s1', 1);
    await cache.get('s1', 0);
    expect(cache.buildCount).toBe(1);
  });

  it('builds once more when a newer version exists, and drops the older one', async () => {
    await cache.get('s1', 0);
    store.current = 2;
    expect((await cache.get('s1', 0)).version).toBe(2);
    await cache.get('s1', 2);
    expect(cache.buildCount).toBe(2);
    // version 1 was dropped: asking for it explicitly builds it again
    await cache.get('s1', 1);
    expect(cache.buildCount).toBe(3);
  });

  it('keeps versions of different spiders apart', async () => {
    await Promise.all([cache.get('s1', 0), cache.get('s2', 0), cache.get('s1', 0), cache.get('s2', 0)]);
    expect(cache.buildCount).toBe(2);
  });

  it('does not cache a failed build: the next request retries', async () => {
    store.failNext = true;
    await expect(cache.get('s1', 0)).rejects.toThrow('database hiccup');
    await expect(cache.get('s1', 0)).resolves.toMatchObject({ version: 1 });
    expect(cache.buildCount).toBe(2);
  });

  it('answers NotFound for an unknown spider', async () => {
    await expect(cache.get('missing', 0)).rejects.toBeInstanceOf(NotFoundError);
  });
});
