import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { isDuplicateKeyError } from '@crawlnest/node';
import { versionsToPrune } from '../version-retention';
import { BlobRepository } from './blob.repository';
import { SpiderRepository } from './spider.repository';
import { SpiderVersionRepository } from './spider-version.repository';
import { SYNC_MASTER_OPTIONS, SyncMasterOptions } from './sync-master.options';

/** Open tasks wait in `task_queue` and run from `tasks` (ended ones move to the archive); libs/task owns them, this only reads two fields. */
const OPEN_TASKS_COLLECTIONS = ['task_queue', 'tasks'];
/** One document per collection run: the unique `_id` makes one replica run each slot. */
const RUN_CLAIMS_COLLECTION = 'storage_gc_runs';

export type StorageGcResult = { versionsPruned: number; blobsDeleted: number; bytesFreed: number };

/**
 * Reclaims storage in the background, on one replica per interval:
 * 1. retention: each spider keeps its newest `keepVersions` versions (per spider, else
 *    CRAWLNEST_KEEP_VERSIONS) plus every version an open task references;
 * 2. mark: every content hash a remaining version references;
 * 3. sweep: blobs not marked and not stored or reused by an upload within the grace period
 *    (CRAWLNEST_BLOB_GRACE_MS), so an upload in flight, whose version is not written yet, keeps
 *    its content. A deleted spider's versions are gone, so its content goes at the next run.
 */
@Injectable()
export class StorageGcService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(StorageGcService.name);
  private readonly me = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<StorageGcResult | null> | undefined;

  constructor(
    private readonly spiders: SpiderRepository,
    private readonly versions: SpiderVersionRepository,
    private readonly blobs: BlobRepository,
    @InjectConnection() private readonly conn: Connection,
    @Inject(SYNC_MASTER_OPTIONS) private readonly opts: SyncMasterOptions,
  ) {}

  private get intervalMs(): number {
    return this.opts.storageGcIntervalMs ?? 60_000;
  }

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.runIfClaimed().catch((err) => this.log.warn({ msg: 'storage collection failed; next interval retries', err: String(err) }));
    }, this.intervalMs);
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One run, unless another replica (or this one) already claimed this interval's slot. */
  async runIfClaimed(): Promise<StorageGcResult | null> {
    if (this.running) return null;
    this.running = (async () => {
      const slot = Math.floor(Date.now() / this.intervalMs);
      if (!(await this.claim(`gc:${slot}`))) return null;
      return this.runOnce();
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async runOnce(): Promise<StorageGcResult> {
    const started = Date.now();
    const versionsPruned = await this.prune();
    const cutoff = new Date(Date.now() - (this.opts.blobGraceMs ?? 600_000));
    const referenced = await this.versions.referencedContent();
    let blobsDeleted = 0;
    let bytesFreed = 0;
    for (const blob of await this.blobs.listForSweep()) {
      if (referenced.has(blob._id)) continue;
      if (new Date(blob.touchedAt ?? blob.createdAt).getTime() >= cutoff.getTime()) continue;
      if (await this.blobs.deleteIfUntouched(blob, cutoff)) {
        blobsDeleted++;
        bytesFreed += blob.size;
      }
    }
    const result = { versionsPruned, blobsDeleted, bytesFreed };
    if (versionsPruned > 0 || blobsDeleted > 0) this.log.log({ msg: 'storage reclaimed', ...result, ms: Date.now() - started });
    return result;
  }

  private async prune(): Promise<number> {
    const [spiders, numbers, pins] = await Promise.all([this.spiders.list(), this.versions.listNumbers(), this.openTaskVersions()]);
    const bySpider = new Map<string, number[]>();
    for (const n of numbers) bySpider.set(n.spiderId, [...(bySpider.get(n.spiderId) ?? []), n.version]);
    let pruned = 0;
    for (const s of spiders) {
      const id = String(s._id);
      const keep = s.keepVersions ?? this.opts.keepVersions ?? 10;
      for (const v of versionsToPrune(bySpider.get(id) ?? [], keep, pins.get(id) ?? new Set())) {
        await this.versions.deleteVersion(id, v);
        pruned++;
      }
    }
    return pruned;
  }

  private async openTaskVersions(): Promise<Map<string, Set<number>>> {
    const rows = (
      await Promise.all(OPEN_TASKS_COLLECTIONS.map((c) => this.conn.collection(c).find({}, { projection: { _id: 0, spiderId: 1, spiderVersion: 1 } }).toArray()))
    ).flat();
    const out = new Map<string, Set<number>>();
    for (const r of rows) {
      const id = String(r.spiderId);
      if (!out.has(id)) out.set(id, new Set());
      out.get(id)?.add(Number(r.spiderVersion));
    }
    return out;
  }

  private async claim(id: string): Promise<boolean> {
    const runs = this.conn.collection<{ _id: string; by: string; at: Date }>(RUN_CLAIMS_COLLECTION);
    try {
      await runs.insertOne({ _id: id, by: this.me, at: new Date() });
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
    // Old claims serve no purpose once their slot passed; keep the collection a few documents long.
    await runs.deleteMany({ at: { $lt: new Date(Date.now() - 10 * this.intervalMs) } });
    return true;
  }
}
