import { Logger } from '@nestjs/common';
import { mongo } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import { archiveDirCollection, archiveShelfCollection, bucketEndMs } from '../archive-bucket';
import { compactionGroups, packSeal, SealDoc, SHELF_TASKS, shelfIsStale, shelfWriteEnd, ShelfIndex, ShelfSeal, unpackSeal } from '../archive-shelf';
import { crashPoint } from './crash-point';
import { TaskRecord } from '../task.types';

/** `replacedAt`: when a compaction's seal replaced this shelf (readers skip it; it is dropped later). */
export type ShelfInfo = { n: number; at: number; seal: { lo: string; hi: string; index: ShelfIndex } | null; replacedAt: number | null; merging: boolean };
type HourDir = { shelves: Map<number, ShelfInfo>; next: number; loaded: boolean };
/** The shelf this replica writes an hour's ended tasks into. */
export type WritingShelf = { bucket: string; n: number; count: number; openedAt: number; tried: TaskRecord[]; stored: TaskRecord[]; pending: Set<Promise<unknown>> };
/** `merging`: an open mark taken by a compaction (its shelf is a copy of live shelves until its seal); `void`: a seal that kills such a shelf. */
type DirDoc = { _id: string; at?: Date; merging?: boolean; void?: boolean } & Partial<SealDoc>;
/** A compaction claim left this long without its switch is taken over (its compactor died). */
const COMPACT_CLAIM_STALE_MS = 60_000;

/** Hours whose current shelf is remembered (a task is archived in its creation hour: few are live). */
const HOURS_WRITING = 64;
/** Hours whose directory (seals unpacked: ~100 bytes a task) is kept; an older one is read again when needed. */
const HOURS_CACHED = 96;

/**
 * The shelf directory of each archive hour (`task_archive_<hour>_dir`) and this replica's
 * writing side. The directory holds, per shelf, an open mark `o:<n>` (inserted by the shelf's
 * writer before its first task: an atomic insert, so two replicas never share a number) and,
 * once the shelf is full, a seal `s:<n>` (archive-shelf.ts). Both are only inserted, never
 * updated (FerretDB's updates read then write, not atomically), and both are found by `_id`:
 * the one cheap read on FerretDB. A reader keeps the directory in memory and brings it up to
 * date with two or three `_id` lookups (the next open mark, the seals of open shelves), or one
 * read of the whole directory (a few hundred small marks) the first time. On MongoDB the same
 * lookups use the `_id` index.
 */
export class ArchiveShelves {
  private readonly dirs = new Map<string, HourDir>();
  private readonly writing = new Map<string, WritingShelf>();
  private readonly opening = new Map<string, Promise<WritingShelf>>();
  private readonly sealing = new Set<Promise<void>>();

  constructor(
    private readonly db: () => mongo.Db,
    private readonly log: Logger,
  ) {}

  /** The hour's shelves (those a compaction replaced left out), up to date with every open mark and seal inserted before this call. */
  async refresh(bucket: string): Promise<ShelfInfo[]> {
    return live(await this.refreshAll(bucket));
  }

  private async refreshAll(bucket: string): Promise<ShelfInfo[]> {
    const dir = this.dirOf(bucket);
    const coll = this.dir(bucket);
    if (!dir.loaded) {
      this.load(dir, (await coll.find({}).toArray()) as unknown as DirDoc[]);
      dir.loaded = true;
      return [...dir.shelves.values()];
    }
    const open = [...dir.shelves.values()].filter((s) => !s.seal && s.replacedAt === null);
    const [marks, seals] = await Promise.all([
      Promise.all([dir.next, dir.next + 1].map((n) => coll.findOne({ _id: `o:${n}` } as never) as Promise<DirDoc | null>)),
      Promise.all(open.map((s) => coll.findOne({ _id: `s:${s.n}` } as never) as Promise<DirDoc | null>)),
    ]);
    if (marks[1]) {
      // More than one new shelf since the last look (a burst): one read of the whole directory.
      this.load(dir, (await coll.find({}).toArray()) as unknown as DirDoc[]);
      return [...dir.shelves.values()];
    }
    this.load(dir, [...marks, ...seals].filter((d): d is DirDoc => d !== null));
    // A shelf found open just now may have been sealed before this look.
    const fresh = [...dir.shelves.values()].filter((s) => !s.seal && s.replacedAt === null && !open.includes(s));
    this.load(dir, (await Promise.all(fresh.map((s) => coll.findOne({ _id: `s:${s.n}` } as never) as Promise<DirDoc | null>))).filter((d): d is DirDoc => d !== null));
    return [...dir.shelves.values()];
  }

  /** What this replica knows of the hour's live shelves, without reading. */
  cached(bucket: string): ShelfInfo[] {
    return live([...(this.dirs.get(bucket)?.shelves.values() ?? [])]);
  }

  /** Every shelf this replica knows of the hour, replaced ones included (drops). */
  cachedAll(bucket: string): ShelfInfo[] {
    return [...(this.dirs.get(bucket)?.shelves.values() ?? [])];
  }

  /** Whether this replica writes into shelf `n` of the hour right now (it is not sealed, on purpose). */
  isWriting(bucket: string, n: number): boolean {
    return this.writing.get(bucket)?.n === n;
  }

  /** What this replica stored into its current shelf of the hour (its only writer): no read needed. */
  storedIn(bucket: string, n: number): TaskRecord[] | null {
    const w = this.writing.get(bucket);
    return w?.n === n ? w.stored : null;
  }

  /** The shelf a newly ended task of `bucket` goes to; a full or old one is sealed and replaced. */
  async shelfFor(bucket: string): Promise<WritingShelf> {
    const w = this.writing.get(bucket);
    if (w && w.count < SHELF_TASKS && Date.now() < shelfWriteEnd(bucketEndMs(bucket), w.openedAt)) return w;
    let p = this.opening.get(bucket);
    if (!p) {
      if (w) {
        this.writing.delete(bucket);
        this.startSeal(w);
      }
      p = this.openShelf(bucket).finally(() => this.opening.delete(bucket));
      this.opening.set(bucket, p);
    }
    return p;
  }

  /** A fresh shelf for a bulk insert of up to SHELF_TASKS tasks, sealed by `seal` right after. */
  async openBulk(bucket: string): Promise<WritingShelf> {
    return this.openNumbered(bucket);
  }

  /** Seals a shelf once every insert into it settled; failures are left to a reader (SHELF_STALE_MS). */
  startSeal(w: WritingShelf): void {
    const p = this.seal(w)
      .catch((err: unknown) => this.log.warn({ msg: 'archive shelf seal failed; a reader seals it later', bucket: w.bucket, shelf: w.n, err: String(err) }))
      .finally(() => this.sealing.delete(p));
    this.sealing.add(p);
  }

  async seal(w: WritingShelf): Promise<void> {
    await Promise.allSettled([...w.pending]);
    const seal = packSeal(w.tried);
    if (seal) await this.insertSeal(w.bucket, w.n, seal);
  }

  /** Records a seal (by the writer, or by a reader for a stale shelf); a second one for the same shelf is ignored. */
  async insertSeal(bucket: string, n: number, seal: ShelfSeal, replaces?: number[]): Promise<void> {
    const doc: DirDoc = { _id: `s:${n}`, ...seal, at: new Date(), ...(replaces ? { replaces } : {}) };
    try {
      await this.dir(bucket).insertOne(doc as never);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      return;
    }
    const dir = this.dirs.get(bucket);
    if (dir) this.load(dir, [doc]);
  }

  /** Seals the shelves this replica writes whose write window closed (their hour ended a while ago). */
  sealIdle(now = Date.now()): void {
    for (const [bucket, w] of [...this.writing]) {
      if (now < shelfWriteEnd(bucketEndMs(bucket), w.openedAt)) continue;
      this.writing.delete(bucket);
      this.startSeal(w);
    }
  }

  /**
   * Merges the hour's small sealed shelves (compactionGroups) into new ones. Per group, crash-safe
   * and idempotent: claim it (an insert), write the new shelf, then switch (its seal names the
   * shelves it replaces: from then on readers skip them), and only later drop them (dropReplaced).
   * Cut anywhere, the old shelves still serve every read: a new shelf without a seal is read as an
   * open one (its tasks duplicate theirs; reads dedupe by id) and is merged again by a later pass.
   * Returns how many shelves were replaced.
   */
  async compact(bucket: string, sealStale: (s: ShelfInfo) => Promise<void>): Promise<number> {
    let shelves = await this.refresh(bucket);
    const now = Date.now();
    for (const s of shelves) if (!s.seal && !this.isWriting(bucket, s.n) && shelfIsStale(bucketEndMs(bucket), s.at, now)) await sealStale(s);
    shelves = this.cached(bucket);
    const groups = compactionGroups(shelves.filter((s) => s.seal).map((s) => ({ n: s.n, count: s.seal!.index.ids.length })));
    let replaced = 0;
    for (const group of groups) if (await this.merge(bucket, group)) replaced += group.length;
    return replaced;
  }

  private async merge(bucket: string, group: number[]): Promise<boolean> {
    const coll = this.dir(bucket);
    // One compactor per group; a claim whose compactor died (no switch within the stale time) is taken over by the next try.
    for (let attempt = 0; ; attempt++) {
      const claim = `c:${group.join(',')}:${attempt}`;
      try {
        await coll.insertOne({ _id: claim, at: new Date() } as never);
        break;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        const held = (await coll.findOne({ _id: claim } as never)) as DirDoc | null;
        if (held && Date.now() - new Date(held.at ?? 0).getTime() < COMPACT_CLAIM_STALE_MS) return false;
      }
    }
    const rows = (await Promise.all(group.map((n) => this.shelf(bucket, n).find({}).toArray()))).flat() as unknown as TaskRecord[];
    const unique = [...new Map(rows.map((t) => [String(t._id), t])).values()];
    const w = await this.openNumbered(bucket, true);
    if (unique.length) {
      try {
        await this.shelf(bucket, w.n).insertMany(unique as unknown as mongo.Document[], { ordered: false });
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
    await crashPoint('mid-archive-compaction');
    const seal = packSeal(unique);
    if (seal) await this.insertSeal(bucket, w.n, seal, group);
    return true;
  }

  /**
   * Drops the shelves of the hour a compaction replaced at least SHELF_DROP_DELAY_MS ago that
   * `listed` (collection names) still shows: the last step of a compaction, also finishing one a
   * crash cut after its switch.
   */
  async dropReplaced(bucket: string, listed: Set<string>, delayMs: number): Promise<number> {
    const now = Date.now();
    let dropped = 0;
    // A merged shelf never switched (its compactor died): killed by a void seal (an insert, so a
    // late switch by a compactor still alive fails), then dropped like a replaced one.
    for (const s of this.cachedAll(bucket)) {
      if (!s.merging || s.seal || s.replacedAt !== null || now - s.at < COMPACT_CLAIM_STALE_MS) continue;
      const doc: DirDoc = { _id: `s:${s.n}`, void: true, at: new Date() };
      try {
        await this.dir(bucket).insertOne(doc as never);
        s.replacedAt = now;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        this.load(this.dirOf(bucket), [((await this.dir(bucket).findOne({ _id: doc._id } as never)) as DirDoc | null) ?? doc]);
      }
    }
    for (const s of this.cachedAll(bucket)) {
      const name = archiveShelfCollection(bucket, s.n);
      if (s.replacedAt === null || now - s.replacedAt < delayMs || !listed.has(name)) continue;
      try {
        await this.db().dropCollection(name);
        dropped++;
      } catch (err) {
        if ((err as { codeName?: string }).codeName !== 'NamespaceNotFound') throw err;
      }
    }
    return dropped;
  }

  /** Seals every shelf this replica writes (module shutdown), waiting for the seals in flight. */
  async sealAll(): Promise<void> {
    for (const w of this.writing.values()) this.startSeal(w);
    this.writing.clear();
    await Promise.allSettled([...this.sealing]);
  }

  forget(bucket: string): void {
    this.dirs.delete(bucket);
    this.writing.delete(bucket);
  }

  shelf(bucket: string, n: number): mongo.Collection {
    return this.db().collection(archiveShelfCollection(bucket, n));
  }

  private async openShelf(bucket: string): Promise<WritingShelf> {
    const w = await this.openNumbered(bucket);
    this.writing.set(bucket, w);
    if (this.writing.size > HOURS_WRITING) {
      const [oldest, ow] = this.writing.entries().next().value as [string, WritingShelf];
      this.writing.delete(oldest);
      this.startSeal(ow);
    }
    return w;
  }

  /** Takes the next free shelf number of the hour: the open mark's insert is the claim. */
  private async openNumbered(bucket: string, merging = false): Promise<WritingShelf> {
    const dir = this.dirOf(bucket);
    if (!dir.loaded) await this.refresh(bucket);
    const coll = this.dir(bucket);
    for (let n = dir.next; ; n++) {
      const at = new Date();
      try {
        await coll.insertOne({ _id: `o:${n}`, at, ...(merging ? { merging } : {}) } as never);
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        continue; // another replica took this number
      }
      this.load(dir, [{ _id: `o:${n}`, at, ...(merging ? { merging } : {}) }]);
      return { bucket, n, count: 0, openedAt: at.getTime(), tried: [], stored: [], pending: new Set() };
    }
  }

  private load(dir: HourDir, docs: DirDoc[]): void {
    for (const d of docs) {
      const n = Number(d._id.slice(2));
      if (!Number.isInteger(n)) continue;
      let s = dir.shelves.get(n);
      if (!s) {
        s = { n, at: Date.now(), seal: null, replacedAt: null, merging: false };
        dir.shelves.set(n, s);
      }
      if (d._id.startsWith('o:')) {
        s.at = new Date(d.at ?? Date.now()).getTime();
        s.merging = d.merging === true;
        dir.next = Math.max(dir.next, n + 1);
      } else if (d._id.startsWith('s:') && d.void) {
        s.replacedAt ??= new Date(d.at ?? Date.now()).getTime();
      } else if (d._id.startsWith('s:') && !s.seal && d.x) {
        s.seal = { lo: d.lo ?? '', hi: d.hi ?? '', index: unpackSeal(d as ShelfSeal) };
        for (const r of d.replaces ?? []) {
          let old = dir.shelves.get(r);
          if (!old) {
            old = { n: r, at: 0, seal: null, replacedAt: null, merging: false };
            dir.shelves.set(r, old);
          }
          old.replacedAt ??= new Date(d.at ?? Date.now()).getTime();
        }
      }
    }
  }

  private dirOf(bucket: string): HourDir {
    let d = this.dirs.get(bucket);
    if (d) {
      // Most recently used last: the first entry is the one evicted.
      this.dirs.delete(bucket);
    } else d = { shelves: new Map(), next: 0, loaded: false };
    this.dirs.set(bucket, d);
    if (this.dirs.size > HOURS_CACHED) this.dirs.delete(this.dirs.keys().next().value as string);
    return d;
  }

  private dir(bucket: string): mongo.Collection {
    return this.db().collection(archiveDirCollection(bucket));
  }
}

/** Shelves a read looks at: not replaced by a compaction, and not a compaction's copy before its switch. */
function live(shelves: ShelfInfo[]): ShelfInfo[] {
  return shelves.filter((s) => s.replacedAt === null && !(s.merging && !s.seal));
}
