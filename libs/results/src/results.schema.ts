import { Schema } from 'mongoose';

export const RESULT_LEDGER_MODEL = 'ResultLedger';
export const RESULT_KEY_MODEL = 'ResultKey';
export const RESULT_FIELD_MODEL = 'ResultField';
export const RESULT_BATCH_MARK_MODEL = 'ResultBatchMark';
export const DEDUP_BACKFILL_MODEL = 'DedupBackfill';
export const DEDUP_BACKFILL_LEASE_MODEL = 'DedupBackfillLease';

/**
 * One document per stored batch, `_id` `<taskId>:<attempt>:<firstSeq>`, written once after
 * the batch's items (a unique insert, atomic on FerretDB): the task's and the spider's counts
 * are sums over these, so no counter document is ever updated (a read-then-write on FerretDB).
 */
export const ResultLedgerSchema = new Schema(
  {
    _id: { type: String, required: true },
    tid: { type: String, required: true, index: true },
    sid: { type: String, required: true, index: true },
    col: { type: String, required: true },
    attempt: { type: Number, required: true },
    firstSeq: { type: Number, required: true },
    lastSeq: { type: Number, required: true },
    stored: { type: Number, required: true },
    duplicates: { type: Number, required: true },
    rejected: { type: Number, required: true },
    /** The first refusals of the batch, so a resent batch gets the same answer. */
    refusals: { type: [{ seq: Number, reason: String, _id: false }], default: [] },
    /** Documents the batch deleted because a newer item of their key replaced them. */
    replaced: { type: Number, default: 0 },
    /** Of those, documents of the batch's own task. */
    replacedOwn: { type: Number, default: 0 },
    at: { type: Date, required: true },
  },
  { collection: 'result_ledgers', versionKey: false },
);

/**
 * Dedup claims: `_id` `<collection>:<hash of the key values>` for the first holder, then
 * `<that>#<n>` for each item that took the key over (`overwrite`; see ResultClaimsRepository).
 * `src` (`<task>:<attempt>:<seq>`, or the document `_id` for a stored item the backfill claimed)
 * lets a resend of that same item see it is its own; `doc` is the results document that held the
 * key; `tid`/`sid` its task and spider, whose counts drop when another item takes the key over.
 */
export const ResultKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    col: { type: String, required: true, index: true },
    tid: { type: String, required: true, index: true },
    sid: { type: String },
    src: { type: String, required: true },
    doc: { type: String, required: true },
  },
  { collection: 'result_keys', versionKey: false },
);

/** Each collection's top-level fields, `_id` `<collection>\n<field>`, in first-seen order (`at`, `ord`). */
export const ResultFieldSchema = new Schema(
  {
    _id: { type: String, required: true },
    col: { type: String, required: true, index: true },
    field: { type: String, required: true },
    at: { type: Date, required: true },
    ord: { type: Number, required: true },
  },
  { collection: 'result_fields', versionKey: false },
);

/** A batch's first try began (`_id` its ledger id): a resend then walks dedup chains from their start. */
export const ResultBatchMarkSchema = new Schema(
  {
    _id: { type: String, required: true },
    tid: { type: String, required: true, index: true },
    at: { type: Date, required: true },
  },
  { collection: 'result_batch_marks', versionKey: false },
);

/**
 * The dedup backfill of a spider (`_id` the spider id): claims the keys of the items stored
 * before dedup was turned on or its keys changed. Written by the replica holding its lease only.
 */
export const DedupBackfillSchema = new Schema(
  {
    _id: { type: String, required: true },
    run: { type: String, required: true },
    col: { type: String, required: true },
    keys: { type: [String], required: true },
    status: { type: String, required: true },
    scanned: { type: Number, required: true },
    total: { type: Number, required: true },
    duplicates: { type: Number, required: true },
    /** The scan covers items stored up to this time (set when it first starts). */
    until: { type: Date, default: null },
    /** The last `_id` claimed, in `_id` order: where a resumed scan goes on. */
    after: { type: String, default: null },
    error: { type: String, default: null },
    createdAt: { type: Date, required: true },
    startedAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
  },
  { collection: 'dedup_backfills', versionKey: false },
);

/** One document per (backfill run, time slot): the unique insert that makes one replica its runner for that slot. */
export const DedupBackfillLeaseSchema = new Schema(
  {
    _id: { type: String, required: true },
    sid: { type: String, required: true, index: true },
    replica: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'dedup_backfill_leases', versionKey: false },
);
