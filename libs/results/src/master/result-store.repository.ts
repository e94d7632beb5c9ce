import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { mongo } from 'mongoose';

type Collection<T extends mongo.Document> = mongo.Collection<T>;
type Filter<T> = mongo.Filter<T>;
type Document = mongo.Document;
type AnyBulkWriteOperation<T extends mongo.Document> = mongo.AnyBulkWriteOperation<T>;
import { isDuplicateKeyError } from '@crawlnest/node';
import { newestFirst } from './newest-first';

export type ResultDoc = Record<string, unknown> & { _id: string };
/** Pages within this many newest items are found by `_id` ranges; deeper ones are sorted by the database. */
const MAX_WALKED = 10_000;
/** Per-document outcome of an unordered insert: null when stored (or already there). */
export type InsertOutcome = (string | null)[];

/**
 * The spiders' results collections (named by the spider, so reached through the connection,
 * not a model). No secondary index: pages are `_id` range reads, and every index is one more
 * write per item on the hot path. Deletes by task and field filters scan (rare, user-driven).
 */
@Injectable()
export class ResultStoreRepository {
  constructor(@InjectConnection() private readonly conn: Connection) {}

  private col(name: string): Collection<ResultDoc> {
    return this.conn.collection<ResultDoc>(name) as unknown as Collection<ResultDoc>;
  }

  /**
   * Inserts every document it can; a duplicate `_id` counts as stored (an earlier try of the
   * same batch stored it). Other per-document errors are returned by position.
   */
  async insertAll(name: string, docs: ResultDoc[]): Promise<InsertOutcome> {
    return unorderedInsert(this.col(name), docs, (code) => code === 11000);
  }

  /** Documents replaced by a newer item of their dedup key (`overwrite`). */
  async deleteIds(name: string, ids: string[]): Promise<void> {
    if (ids.length) await this.col(name).deleteMany({ _id: { $in: ids } });
  }

  /**
   * A spider's documents whose `fields` equal one of `tuples` (a missing field as null), oldest
   * `_id` first, with only those fields and the system ones. A filter on item fields: a scan on
   * FerretDB and on MongoDB (no index on item fields); used only while a dedup backfill runs.
   */
  async findByFields(name: string, spiderId: string, fields: string[], tuples: unknown[][]): Promise<ResultDoc[]> {
    if (!tuples.length) return [];
    const or = tuples.map((t) => Object.fromEntries(fields.map((f, i) => [f, t[i] ?? null])));
    const docs = await this.col(name)
      .find({ _sid: spiderId, $or: or } as Filter<ResultDoc>, { projection: projectionOf(fields) })
      .toArray();
    return docs.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
  }

  /**
   * A spider's documents stored up to `until`, in `_id` order from after `after` (where a resumed
   * backfill goes on), with only `fields` and the system ones. MongoDB walks the `_id` index;
   * FerretDB sorts the matching documents once per call (in memory), so a run makes one call.
   */
  storedUntil(name: string, spiderId: string, until: Date, after: string | null, fields: string[]) {
    const q: Record<string, unknown> = { _sid: spiderId, _ts: { $lte: until } };
    if (after !== null) q._id = { $gt: after };
    return this.col(name).find(q as Filter<ResultDoc>, { projection: projectionOf(fields) }).sort({ _id: 1 }).batchSize(500);
  }

  /** A spider's documents stored within [from, until], unsorted (a scan), with only `fields` and the system ones. */
  storedBetween(name: string, spiderId: string, from: Date, until: Date, fields: string[]) {
    return this.col(name)
      .find({ _sid: spiderId, _ts: { $gte: from, $lte: until } } as Filter<ResultDoc>, { projection: projectionOf(fields) })
      .batchSize(500);
  }

  /**
   * Newest first: `_id` starts with the time the worker read the item (see newestFirst). Task
   * and spider ids are matched here, on `_id`-range reads only (what FerretDB reads by range
   * without a scan); a page with a field filter, or deeper than MAX_WALKED, is sorted by the
   * database (a scan on FerretDB).
   */
  async page(name: string, filter: Record<string, unknown>, skip: number, limit: number): Promise<ResultDoc[]> {
    const simple = Object.values(filter).every((v) => typeof v === 'string');
    if (!simple || skip + limit > MAX_WALKED) {
      return this.col(name).find(filter as Filter<ResultDoc>).sort({ _id: -1 }).skip(skip).limit(limit).toArray();
    }
    const matches = (d: ResultDoc) => Object.entries(filter).every(([k, v]) => d[k] === v);
    const read = async (lo: string | null, hi: string | null, n: number) => {
      const range: Record<string, string> = {};
      if (lo !== null) range.$gte = lo;
      if (hi !== null) range.$lt = hi;
      const q = Object.keys(range).length ? { _id: range } : {};
      const docs = await this.col(name).find(q as Filter<ResultDoc>).limit(n).toArray();
      return { docs: docs.filter(matches), scanned: docs.length };
    };
    return (await newestFirst(read, skip + limit, Date.now())).slice(skip);
  }

  /**
   * For exports: storage order (about oldest first), unsorted, so neither the master nor the
   * database holds the result set (FerretDB would sort it in memory); read in batches.
   */
  cursor(name: string, filter: Filter<ResultDoc>) {
    return this.col(name).find(filter).batchSize(500);
  }

  async deleteMany(name: string, filter: Filter<ResultDoc>): Promise<number> {
    return (await this.col(name).deleteMany(filter)).deletedCount;
  }

  async bulk(name: string, ops: AnyBulkWriteOperation<ResultDoc>[]): Promise<void> {
    if (ops.length) await this.col(name).bulkWrite(ops, { ordered: false });
  }
}

function projectionOf(fields: string[]): Record<string, 1> {
  return Object.fromEntries(['_id', '_tid', '_sid', ...fields].map((f) => [f, 1 as const]));
}

/**
 * Documents per insert command. FerretDB 1.24 stores a 5000-document insertMany slower per
 * document than five of 1000 (measured in the results-browse bench: 130–170 ms against 100–120 ms
 * per 1000 items on a loaded machine), so a big batch is written in commands of this size.
 */
const INSERT_CHUNK = 1000;

/** insertMany({ordered: false}) in commands of INSERT_CHUNK, mapping write errors back to the documents. */
export async function unorderedInsert<T extends Document>(
  col: Collection<T>,
  docs: T[],
  harmless: (code: number | undefined) => boolean,
): Promise<InsertOutcome> {
  const out: InsertOutcome = docs.map(() => null);
  for (let from = 0; from < docs.length; from += INSERT_CHUNK) {
    try {
      await col.insertMany(docs.slice(from, from + INSERT_CHUNK) as never[], { ordered: false });
    } catch (err) {
      const writeErrors = bulkWriteErrors(err);
      if (!writeErrors) throw err;
      for (const e of writeErrors) if (!harmless(e.code)) out[from + e.index] = e.errmsg ?? `error ${e.code}`;
    }
  }
  return out;
}

type WriteErr = { index: number; code?: number; errmsg?: string };

function bulkWriteErrors(err: unknown): WriteErr[] | null {
  if (isDuplicateKeyError(err) && typeof err === 'object' && err !== null && !('writeErrors' in err)) {
    const e = err as { index?: number; code?: number; errmsg?: string; message?: string };
    return [{ index: e.index ?? 0, code: e.code, errmsg: e.errmsg ?? e.message }];
  }
  if (typeof err !== 'object' || err === null || !('writeErrors' in err)) return null;
  const raw = (err as { writeErrors: unknown }).writeErrors;
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((w) => {
    const x = w as { index?: number; code?: number; errmsg?: string; err?: { index?: number; code?: number; errmsg?: string } };
    return { index: x.index ?? x.err?.index ?? 0, code: x.code ?? x.err?.code, errmsg: x.errmsg ?? x.err?.errmsg };
  });
}
