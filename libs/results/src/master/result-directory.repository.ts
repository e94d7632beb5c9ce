import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import { DbFlavor, isDuplicateKeyError } from '@crawlnest/node';
import type { ResultDoc } from './result-store.repository';

/**
 * One stored batch's page mark (`result_pages`, `_id` the batch's ledger id): the `_id`s of the
 * documents it wrote, oldest first, and the places it took in its spider's and its task's
 * directories (`m`, `n`). Written once, after both places were taken; a place whose batch has no
 * page mark, or one naming another place, is left over from a crash and is skipped.
 */
export type PageMark = { _id: string; sid: string; tid: string; col: string; m: number; n: number; ids: string[]; at: Date };

/**
 * One place in a directory (`result_dir`): `_id` `s:<spider>:<m>` or `t:<task>:<n>`, the m-th
 * (n-th) batch stored for that spider (task), with `count` documents and `before` documents in the
 * places before it. Places are taken by unique insert, one after another (contiguous), so the
 * newest is found by galloping and a position by a search, with `_id` reads only.
 */
export type Place = { _id: string; sid: string; tid: string; batch: string; count: number; before: number };

export type Scope = { kind: 's' | 't'; id: string };

const PAGES = 'result_pages';
const DIR = 'result_dir';
/** `_id` reads run at most this many at once. */
const PARALLEL = 16;
/**
 * On FerretDB a point read costs ~1–3 ms and a scan ~27 µs per document (TOOLCHAIN.md): a page
 * needing more point reads than 1/SCAN_PER_POINT of the collection is read with one `$in` (a
 * scan) instead. A page of 1000 of a 20k spider: one scan (~0.5 s) instead of 1000 reads (1–3 s).
 */
const SCAN_PER_POINT = 40;
/** A field-filter search scans a collection up to this size (~0.45 s on FerretDB) rather than read its items one by one. */
const SEARCH_SCAN_MAX = 16_000;
/** Fewer documents than this are always read by point reads (no collection size asked). */
const BULK_FROM = 64;

/** The documents a read may cost a scan of (the collection's size, from the spider's directory), asked once. */
type SizeOf = () => Promise<number>;

/**
 * Page marks and directories beside the results collections. FerretDB 1.24 serves only `_id`
 * equality without reading the whole collection (a range, a sort, a count or a filter on `_tid`
 * scans it, index or not), so every read here is an `_id` equality whose key is computed:
 * the newest place of a spider or task (gallop), the place holding position p (a search over
 * `before`), its page mark, then the page's items by `_id`. On MongoDB the same reads are served
 * by the `_id` index, a handful of point reads per page whatever the size.
 */
@Injectable()
export class ResultDirectoryRepository {
  /** The newest place seen per scope on this replica: a hint, checked on every use. */
  private readonly heads = new Map<string, number>();

  constructor(
    @InjectConnection() private readonly conn: Connection,
    private readonly flavor: DbFlavor,
  ) {}

  /** Which server serves the reads (libs/node's DbFlavor, asked once per process). */
  isFerretDb(): Promise<boolean> {
    return this.flavor.isFerretDb();
  }

  private pagesCol(): mongo.Collection<PageMark> {
    return this.conn.collection<PageMark>(PAGES) as unknown as mongo.Collection<PageMark>;
  }

  private dirCol(): mongo.Collection<Place> {
    return this.conn.collection<Place>(DIR) as unknown as mongo.Collection<Place>;
  }

  /**
   * Records a stored batch: a place in its spider's and its task's directory, then its page mark.
   * A batch placed before (a resend) is left as it is; a crash between the places and the mark
   * leaves places without a mark, which readers skip (the resend takes new ones). The mark check
   * and both newest places are read in one round trip, and the newest place read there is the
   * one the new place follows (no second read): 3 round trips per batch in the common case.
   */
  async place(batch: string, col: string, sid: string, tid: string, ids: string[]): Promise<void> {
    if (!ids.length) return;
    const s: Scope = { kind: 's', id: sid };
    const t: Scope = { kind: 't', id: tid };
    const [mark, sHead, tHead] = await Promise.all([this.pagesCol().findOne({ _id: batch }, { projection: { _id: 1 } }), this.headPlace(s), this.headPlace(t)]);
    if (mark) return;
    const [m, n] = await Promise.all([this.take(s, batch, sid, tid, ids.length, sHead), this.take(t, batch, sid, tid, ids.length, tHead)]);
    try {
      await this.pagesCol().insertOne({ _id: batch, sid, tid, col, m, n, ids, at: new Date() });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  /** Takes the next free place of a scope (unique insert after the place before it, read by the caller when known). */
  private async take(scope: Scope, batch: string, sid: string, tid: string, count: number, known: { at: number; place: Place | null }): Promise<number> {
    let at = known.at + 1;
    let prev: Place | null | undefined = known.at < 0 ? null : known.place ?? undefined;
    for (;;) {
      if (prev === undefined) prev = at > 0 ? await this.read(scope, at - 1) : null;
      if (at > 0 && !prev) {
        at = (await this.head(scope, true)) + 1; // the hint ran ahead of a delete: look again
        prev = undefined;
        continue;
      }
      const before = prev ? prev.before + prev.count : 0;
      try {
        await this.dirCol().insertOne({ _id: placeId(scope, at), sid, tid, batch, count, before });
        this.heads.set(key(scope), at);
        return at;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        at++;
        prev = undefined;
      }
    }
  }

  /** The newest place of a scope with its document when the hint's read had it (one round trip then). */
  private async headPlace(scope: Scope): Promise<{ at: number; place: Place | null }> {
    const hint = this.heads.get(key(scope));
    if (hint !== undefined && hint >= 0) {
      const [h, next] = await Promise.all([this.read(scope, hint), this.read(scope, hint + 1)]);
      if (h && !next) return { at: hint, place: h };
    }
    return { at: await this.head(scope), place: null };
  }

  /** The newest place of a scope (-1: none), from this replica's hint when it still holds. */
  async head(scope: Scope, fresh = false): Promise<number> {
    const hint = fresh ? undefined : this.heads.get(key(scope));
    let lo = -1;
    let hi = 1;
    if (hint !== undefined && hint >= 0) {
      const [h, next] = await Promise.all([this.read(scope, hint), this.read(scope, hint + 1)]);
      if (h && !next) return hint;
      if (h) {
        lo = hint + 1;
        hi = hint + 2;
      }
    }
    if (lo < 0) {
      if (!(await this.read(scope, 0))) return this.remember(scope, -1);
      lo = 0;
    }
    let step = 1;
    for (hi = lo + step; await this.read(scope, hi); hi = lo + step) {
      lo = hi;
      step *= 2;
    }
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (await this.read(scope, mid)) lo = mid;
      else hi = mid;
    }
    return this.remember(scope, lo);
  }

  private remember(scope: Scope, at: number): number {
    this.heads.set(key(scope), at);
    return at;
  }

  /** Documents placed in a scope (live or since replaced), from its newest place. */
  async slots(scope: Scope): Promise<{ head: number; slots: number; top: Place | null }> {
    const head = await this.head(scope);
    if (head < 0) return { head, slots: 0, top: null };
    const top = await this.read(scope, head);
    if (!top) return this.slots({ ...scope });
    return { head, slots: top.before + top.count, top };
  }

  /** The place holding slot position `pos` (0: the oldest document), searched over `before` with parallel probes. */
  async placeAt(scope: Scope, head: number, pos: number): Promise<number> {
    let lo = 0;
    let hi = head; // answer in [lo, hi]
    while (hi > lo) {
      const span = hi - lo;
      const probes = Math.min(7, span);
      const ats = Array.from({ length: probes }, (_, i) => lo + Math.ceil(((i + 1) * span) / (probes + 1)));
      const places = await Promise.all(ats.map((a) => this.read(scope, a)));
      let nlo = lo;
      let nhi = hi;
      places.forEach((p, i) => {
        if (!p) return;
        if (p.before <= pos) nlo = Math.max(nlo, ats[i]);
        else nhi = Math.min(nhi, ats[i] - 1);
      });
      if (nlo === lo && nhi === hi) break;
      lo = nlo;
      hi = nhi;
    }
    return lo;
  }

  /**
   * Documents [skip, skip+limit) of a scope, newest first, given its `live` count (the ledgers').
   * null: the scope holds documents placed before page marks existed (the caller reads them the
   * old way). When every placed document is live (no overwrite moved one away, no crash left a
   * place behind) the page is addressed: the newest place, a search for the place holding its
   * oldest position, the marks of the few places it spans, its items: about 15 `_id` reads in 4
   * rounds whatever the size. Otherwise the places are walked from the newest, skipping documents
   * that are gone: the cost grows with `skip`.
   */
  async newest(col: string, scope: Scope, skip: number, limit: number, live: number, holes: boolean): Promise<ResultDoc[] | null> {
    const { head, slots, top } = await this.slots(scope);
    if (slots < live) return null;
    if (head < 0 || limit <= 0) return [];
    const size = this.sizeOf(scope, slots, top);
    if (slots === live) {
      const page = await this.addressed(col, scope, head, slots, skip, limit, size);
      if (page) return page;
    }
    return this.walked(col, scope, head, skip, limit, holes, size);
  }

  /** The collection's size as far as the directories know it: the spider's placed documents (a task's scope asks its spider's head). */
  private sizeOf(scope: Scope, slots: number, top: Place | null): SizeOf {
    let known: Promise<number> | null = null;
    return () => {
      known ??= scope.kind === 's' || !top ? Promise.resolve(slots) : this.slots({ kind: 's', id: top.sid }).then((s) => Math.max(s.slots, slots));
      return known;
    };
  }

  private async addressed(col: string, scope: Scope, head: number, slots: number, skip: number, limit: number, size: SizeOf): Promise<ResultDoc[] | null> {
    const hiPos = slots - skip;
    if (hiPos <= 0) return [];
    const loPos = Math.max(0, hiPos - limit);
    const first = await this.placeAt(scope, head, loPos);
    const places: Place[] = [];
    const ats: number[] = [];
    for (let at = first; at <= head; ) {
      const chunk = Array.from({ length: Math.min(8, head - at + 1) }, (_, i) => at + i);
      const read = await Promise.all(chunk.map((a) => this.read(scope, a)));
      let done = false;
      for (let i = 0; i < read.length && !done; i++) {
        const p = read[i];
        if (!p) return null;
        places.push(p);
        ats.push(chunk[i]);
        done = p.before + p.count >= hiPos;
      }
      if (done) break;
      at += chunk.length;
    }
    const marks = await this.marksOf(scope, places, ats);
    const ids: string[] = [];
    for (let i = 0; i < places.length; i++) {
      const mk = marks[i];
      if (!mk) return null;
      for (let k = 0; k < mk.ids.length; k++) {
        const pos = places[i].before + k;
        if (pos >= loPos && pos < hiPos) ids.push(mk.ids[k]);
      }
    }
    const docs = await this.docs(col, ids.reverse(), size);
    if (docs.some((d) => !d || !inScope(d, scope))) return null;
    return docs as ResultDoc[];
  }

  /**
   * `holes`: page marks may list documents deleted since, so each is read to be counted; without,
   * a valid mark counts its `ids` (places left by a crash or a task delete have no valid mark and
   * count nothing), and only the page's own documents are read.
   */
  private async walked(col: string, scope: Scope, head: number, skip: number, limit: number, holes: boolean, size: SizeOf): Promise<ResultDoc[]> {
    const out: ResultDoc[] = [];
    let seen = 0;
    for (let at = head; at >= 0 && out.length < limit; ) {
      const ats = Array.from({ length: Math.min(8, at + 1) }, (_, i) => at - i);
      const places = await Promise.all(ats.map((a) => this.read(scope, a)));
      const marks = await this.marksOf(scope, places, ats);
      for (const mk of marks) {
        if (!mk) continue;
        if (!holes && seen + mk.ids.length <= skip) {
          seen += mk.ids.length;
          continue;
        }
        const ids = [...mk.ids].reverse();
        let k = 0;
        if (!holes && seen < skip) {
          k = skip - seen;
          seen = skip;
        }
        while (k < ids.length && out.length < limit) {
          const n = Math.max(16, skip + limit - seen);
          const docs = await this.docs(col, ids.slice(k, k + n), size);
          k += n;
          for (const d of docs) {
            if (!d || !inScope(d, scope)) continue;
            if (seen++ >= skip && out.length < limit) out.push(d);
          }
        }
        if (out.length >= limit) break;
      }
      at -= ats.length;
    }
    return out;
  }

  /**
   * Documents of a scope that `match`, newest first, from `cursor` (a slot position, exclusive;
   * null: the newest), for at most `budgetMs`: the filter is applied here, on documents read by
   * `_id` (FerretDB would read the whole collection for it). Returns what matched, where to go on
   * (null: the scope was searched to its oldest document) and how many slots lie above that point.
   */
  async search(
    col: string,
    scope: Scope,
    match: (d: ResultDoc) => boolean,
    cursor: number | null,
    skip: number,
    limit: number,
    budgetMs: number,
  ): Promise<{ docs: ResultDoc[]; next: number | null; searched: number; slots: number }> {
    const started = Date.now();
    const { head, slots, top } = await this.slots(scope);
    const out: ResultDoc[] = [];
    let pos = Math.min(cursor ?? slots, slots);
    if (head < 0 || pos <= 0) return { docs: out, next: null, searched: slots, slots };
    let skipped = 0;
    // A small spider is cheaper to scan than to read item by item: then a page mark's items are read with one `$in`.
    const colSize = await this.sizeOf(scope, slots, top)();
    const chunkOf = (k: number) => (colSize <= SEARCH_SCAN_MAX && k * SCAN_PER_POINT >= colSize ? k : 64);
    let at = await this.placeAt(scope, head, pos - 1);
    let read = 0; // one chunk is always read, so every answer moves on
    const inTime = () => read === 0 || Date.now() - started < budgetMs;
    while (at >= 0 && out.length < limit && inTime()) {
      const place = await this.read(scope, at);
      const [mk] = place ? await this.marksOf(scope, [place], [at]) : [null];
      if (!place || !mk) {
        pos = place ? place.before : pos;
        at--;
        continue;
      }
      let k = Math.min(mk.ids.length, pos - place.before);
      while (k > 0 && out.length < limit && inTime()) {
        const from = Math.max(0, k - chunkOf(k));
        const ids = mk.ids.slice(from, k).reverse();
        const docs = await this.docs(col, ids, () => Promise.resolve(colSize));
        read += docs.length;
        let used = 0;
        for (const d of docs) {
          used++;
          if (d && inScope(d, scope) && match(d)) {
            if (skipped < skip) skipped++;
            else out.push(d);
            if (out.length >= limit) break;
          }
        }
        k -= used;
        pos = place.before + k;
      }
      if (k <= 0) at--;
    }
    const next = pos > 0 ? pos : null;
    return { docs: out, next, searched: slots - pos, slots };
  }

  read(scope: Scope, at: number): Promise<Place | null> {
    return this.dirCol().findOne({ _id: placeId(scope, at) });
  }

  /** The page marks of places, null for a place left over from a crash (no mark, or a mark naming another place). */
  async marksOf(scope: Scope, places: (Place | null)[], ats: number[]): Promise<(PageMark | null)[]> {
    const marks = await mapParallel(places, (p) => (p ? this.pagesCol().findOne({ _id: p.batch }) : Promise.resolve(null)));
    return marks.map((mk, i) => (mk && (scope.kind === 's' ? mk.m : mk.n) === ats[i] ? mk : null));
  }

  /**
   * Documents by `_id`, in the order asked, null where gone. On MongoDB one `$in` (the `_id`
   * index). On FerretDB an `$in` reads the whole collection, so a few documents are read one
   * equality read each, and many (more than 1/SCAN_PER_POINT of `size()`) with one `$in`.
   */
  async docs(col: string, ids: string[], size?: SizeOf): Promise<(ResultDoc | null)[]> {
    const c = this.conn.collection<ResultDoc>(col) as unknown as mongo.Collection<ResultDoc>;
    if (!ids.length) return [];
    const bulk = !(await this.isFerretDb()) || (ids.length >= BULK_FROM && size !== undefined && ids.length * SCAN_PER_POINT >= (await size()));
    if (!bulk) return mapParallel(ids, (id) => c.findOne({ _id: id }));
    const found = new Map((await c.find({ _id: { $in: ids } }).toArray()).map((d) => [d._id, d as ResultDoc]));
    return ids.map((id) => found.get(id) ?? null);
  }

  /** A spider's (or a task's) directory and page marks go with its results (a filter: a scan, like the delete itself). */
  async deleteOf(filter: { sid: string; tid?: string }): Promise<void> {
    // A task's places in its spider's directory stay (places are contiguous); without their page
    // marks they are skipped like a crash's leftovers.
    await this.dirCol().deleteMany(filter.tid ? { tid: filter.tid, _id: { $regex: '^t:' } } : filter);
    await this.pagesCol().deleteMany(filter);
    this.heads.clear();
  }
}

function inScope(d: ResultDoc, scope: Scope): boolean {
  return (scope.kind === 's' ? d._sid : d._tid) === scope.id;
}

function key(scope: Scope): string {
  return `${scope.kind}:${scope.id}`;
}

export function placeId(scope: Scope, at: number): string {
  return `${scope.kind}:${scope.id}:${at}`;
}

export async function mapParallel<T, R>(xs: T[], fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(xs.length);
  let next = 0;
  const worker = async () => {
    while (next < xs.length) {
      const i = next++;
      out[i] = await fn(xs[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, xs.length) }, worker));
  return out;
}
