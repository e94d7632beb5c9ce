import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { dedupValues, storedDedupHash, storedKeyName } from '../dedup-key';
import { DedupSetting } from '../results.types';
import { BackfillRecord, BackfillStatus, DedupBackfillRepository } from './dedup-backfill.repository';
import { KeyClaim, ResultClaimsRepository } from './result-claims.repository';
import { ResultDoc, ResultStoreRepository } from './result-store.repository';

/** What the spider view shows of its dedup backfill. */
export type DedupBackfillView = {
  status: BackfillStatus;
  keys: string[];
  scanned: number;
  total: number;
  duplicates: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
};

/**
 * Turning dedup on (or changing its keys) over items already stored: a job claims the keys of
 * those items (DedupBackfillRunner runs it). While it runs, a batch of new items first claims
 * the keys of stored items equal to its own (preclaim), so it is deduplicated against them
 * whether the job has reached them or not.
 */
@Injectable()
export class DedupBackfillService {
  private readonly log = new Logger(DedupBackfillService.name);

  constructor(
    private readonly jobs: DedupBackfillRepository,
    private readonly claims: ResultClaimsRepository,
    private readonly store: ResultStoreRepository,
  ) {}

  /** Whether going from `before` to `after` needs the stored items claimed again. */
  static needed(before: DedupSetting | null, after: DedupSetting | null | undefined): after is DedupSetting {
    if (!after) return false;
    return !before || before.keys.length !== after.keys.length || before.keys.some((k, i) => k !== after.keys[i]);
  }

  /**
   * Called before the spider's new dedup setting is saved: the job exists (so every batch that
   * sees the new keys also sees the job running), then the collection's claims go (they were
   * made under other keys, or are missing the items stored while dedup was off).
   */
  async start(spiderId: string, col: string, dedup: DedupSetting, total: number): Promise<void> {
    const job: BackfillRecord = {
      _id: spiderId,
      run: randomBytes(6).toString('hex'),
      col,
      keys: dedup.keys,
      status: 'running',
      scanned: 0,
      total,
      duplicates: 0,
      until: null,
      after: null,
      error: null,
      createdAt: new Date(),
      startedAt: null,
      finishedAt: null,
    };
    await this.jobs.replace(job);
    await this.claims.deleteOfCollection(col);
    this.log.log({ msg: 'dedup backfill queued', spiderId, collection: col, keys: dedup.keys, total, run: job.run });
  }

  /** The change that queued the job was not saved (its spider keeps dedup off). */
  async abandon(spiderId: string, why: string): Promise<void> {
    const job = await this.jobs.get(spiderId);
    if (!job) return;
    await this.jobs.save({ ...job, status: 'failed', error: why, finishedAt: new Date() });
  }

  async views(spiderIds: string[]): Promise<Map<string, DedupBackfillView>> {
    const out = new Map<string, DedupBackfillView>();
    for (const j of await this.jobs.ofSpiders(spiderIds)) {
      out.set(j._id, {
        status: j.status,
        keys: j.keys,
        scanned: j.scanned,
        total: j.total,
        duplicates: j.duplicates,
        createdAt: new Date(j.createdAt).toISOString(),
        startedAt: j.startedAt ? new Date(j.startedAt).toISOString() : null,
        finishedAt: j.finishedAt ? new Date(j.finishedAt).toISOString() : null,
        error: j.error,
      });
    }
    return out;
  }

  /**
   * Before a batch of a spider whose backfill is running claims its keys: stored items with the
   * same key values claim them first (oldest first), as the job would. Claims are idempotent
   * (a stored item's claim names its document), so the job reaching them later changes nothing.
   */
  async preclaim(spiderId: string, col: string, dedup: DedupSetting, items: Record<string, unknown>[]): Promise<void> {
    const job = await this.jobs.get(spiderId);
    if (!job || job.status !== 'running') return;
    const seen = new Set<string>();
    const tuples: unknown[][] = [];
    for (const it of items) {
      const values = dedupValues(it, dedup);
      const k = JSON.stringify(values);
      if (!seen.has(k)) tuples.push(values);
      seen.add(k);
    }
    const fields = dedup.keys.map(storedKeyName);
    const stored = await this.store.findByFields(col, spiderId, fields, tuples);
    if (stored.length) await this.claims.claimFirst(stored.map((d) => claimOfStored(col, dedup, d)));
  }
}

/** The claim a stored document makes for its key: `src` and `doc` are its own `_id`. */
export function claimOfStored(col: string, dedup: DedupSetting, d: ResultDoc): KeyClaim {
  return { _id: `${col}:${storedDedupHash(d, dedup)}`, col, tid: String(d._tid), sid: String(d._sid), src: d._id, doc: d._id };
}
