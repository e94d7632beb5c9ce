import { isDuplicateKeyError } from '@crawlnest/node';
import type { Connection, mongo } from 'mongoose';

export const COLLECTIONS = {
  channels: 'notify_channels',
  rules: 'notify_rules',
  /** Facts waiting to be turned into deliveries; small (a fact leaves once fanned out). */
  outbox: 'notify_outbox',
  /** Every delivery, the history (`_id` = delivery id). */
  deliveries: 'notify_deliveries',
  /** Deliveries not settled yet, by `_id`: the only collection the senders scan, kept small. */
  due: 'notify_due',
  /** `<deliveryId>:<attempt>:<takeover>` claims: inserting one is the right to make that attempt. */
  claims: 'notify_claims',
  /** Events waiting for their throttle window's digest (`_id` = `<digestId>|<eventId>`). */
  digestItems: 'notify_digest_items',
} as const;

export function collection<T extends mongo.Document>(conn: Connection, name: string): mongo.Collection<T> {
  const db = conn.db;
  if (!db) throw new Error('database connection is not open');
  return db.collection<T>(name);
}

/** Insert by unique `_id`, the one atomic primitive on FerretDB: false when it already exists. */
export async function insertOnce<T extends mongo.Document>(coll: mongo.Collection<T>, doc: T): Promise<boolean> {
  try {
    await coll.insertOne(doc as mongo.OptionalUnlessRequiredId<T>);
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}
