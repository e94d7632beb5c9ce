import { Schema } from 'mongoose';

export const RESULT_LEDGER_MODEL = 'ResultLedger';
export const RESULT_KEY_MODEL = 'ResultKey';
export const RESULT_FIELD_MODEL = 'ResultField';

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
    at: { type: Date, required: true },
  },
  { collection: 'result_ledgers', versionKey: false },
);

/**
 * Dedup claims: `_id` `<collection>:<hash of the key values>`. The first item to insert the
 * claim owns the key; `src` (`<task>:<attempt>:<seq>`) lets a resend of that same item see it
 * is its own, and `doc` is the results document that holds the key.
 */
export const ResultKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    col: { type: String, required: true, index: true },
    tid: { type: String, required: true, index: true },
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
