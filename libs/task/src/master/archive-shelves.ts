import { Logger } from '@nestjs/common';
import { mongo } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import { archiveDirCollection, archiveShelfCollection } from '../archive-bucket';
import { packSeal, SHELF_MAX_AGE_MS, SHELF_TASKS, ShelfIndex, ShelfSeal, unpackSeal } from '../archive-shelf';
import { TaskRecord } from '../task.types';

export type ShelfInfo = { n: number; at: number; seal: { lo: string; hi: string; index: ShelfIndex } | null };
type HourDir = { shelves: Map<number, ShelfInfo>; next: number; loaded: boolean };
/** The shelf this replica writes an hour's ended tasks into. */
export type WritingShelf = { bucket: string; n: number; count: number; openedAt: number; tried: TaskRecord[]; stored: TaskRecord[]; pending: Set<Promise<unknown>> };
type DirDoc = { _id: string; at?: Date } & Partial<ShelfSeal>;

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

  /** The hour's shelves, up to date with every open mark and seal inserted before this call. */
  async refresh(bucket: string): Promise<ShelfInfo[]> {
    const dir = this.dirOf(bucket);
    const coll = this.dir(bucket);
    if (!dir.loaded) {
      this.load(dir, (await coll.find({}).toArray()) as unknown as DirDoc[]);
      dir.loaded = true;
      return [...dir.shelves.values()];
    }
    const open = [...dir.shelves.values()].filter((s) => !s.seal);
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
    const fresh = [...dir.shelves.values()].filter((s) => !s.seal && !open.includes(s));
    this.load(dir, (await Promise.all(fresh.map((s) => coll.findOne({ _id: `s:${s.n}` } as never) as Promise<DirDoc | null>))).filter((d): d is DirDoc => d !== null));
    return [...dir.shelves.values()];
  }

  /** What this replica knows of the hour's shelves, without reading. */
  cached(bucket: string): ShelfInfo[] {
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
    if (w && w.count < SHELF_TASKS && Date.now() - w.openedAt < SHELF_MAX_AGE_MS) return w;
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
  async insertSeal(bucket: string, n: number, seal: ShelfSeal): Promise<void> {
    try {
      await this.dir(bucket).insertOne({ _id: `s:${n}`, ...seal } as never);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    const s = this.dirs.get(bucket)?.shelves.get(n);
    if (s && !s.seal) s.seal = { lo: seal.lo, hi: seal.hi, index: unpackSeal(seal) };
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
  private async openNumbered(bucket: string): Promise<WritingShelf> {
    const dir = this.dirOf(bucket);
    if (!dir.loaded) await this.refresh(bucket);
    const coll = this.dir(bucket);
    for (let n = dir.next; ; n++) {
      const at = new Date();
      try {
        await coll.insertOne({ _id: `o:${n}`, at } as never);
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        continue; // another replica took this number
      }
      this.load(dir, [{ _id: `o:${n}`, at }]);
      return { bucket, n, count: 0, openedAt: at.getTime(), tried: [], stored: [], pending: new Set() };
    }
  }

  private load(dir: HourDir, docs: DirDoc[]): void {
    for (const d of docs) {
      const n = Number(d._id.slice(2));
      if (!Number.isInteger(n)) continue;
      let s = dir.shelves.get(n);
      if (!s) {
        s = { n, at: Date.now(), seal: null };
        dir.shelves.set(n, s);
      }
      if (d._id.startsWith('o:')) {
        s.at = new Date(d.at ?? Date.now()).getTime();
        dir.next = Math.max(dir.next, n + 1);
      } else if (d._id.startsWith('s:') && !s.seal && d.x) {
        s.seal = { lo: d.lo ?? '', hi: d.hi ?? '', index: unpackSeal(d as ShelfSeal) };
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
