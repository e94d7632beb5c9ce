/**
 * Ended tasks and log lines are stored in one collection per creation hour of the task
 * (`task_archive_2026112921`, `task_logs_2026112921`). The hour is read from the task's
 * ObjectId, so a lookup by id goes straight to one small collection. On the embedded
 * FerretDB every query but an insert scans its collection, so a small collection is what
 * keeps reads, and a report that reads, cheap whatever the history size; and retention
 * drops a whole hour at once instead of deleting documents one by one.
 */
export const ARCHIVE_PREFIX = 'task_archive_';
export const LOG_PREFIX = 'task_logs_';
const HOUR_MS = 3_600_000;

/** `YYYYMMDDHH` (UTC) of the hour holding time `ms`. */
export function bucketOfTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13).replace(/[-T]/g, '');
}

/** The bucket of a task id: the hour its ObjectId was made in. */
export function bucketOfId(id: string): string {
  return bucketOfTime(parseInt(id.slice(0, 8), 16) * 1000);
}

export function bucketStartMs(bucket: string): number {
  return Date.UTC(+bucket.slice(0, 4), +bucket.slice(4, 6) - 1, +bucket.slice(6, 8), +bucket.slice(8, 10));
}

export function bucketEndMs(bucket: string): number {
  return bucketStartMs(bucket) + HOUR_MS;
}

/**
 * The smallest possible ObjectId (hex) of a bucket: every id of an older bucket sorts before
 * it. Used as a cursor that means "everything older than this hour".
 */
export function bucketFloorId(bucket: string): string {
  return Math.floor(bucketStartMs(bucket) / 1000).toString(16).padStart(8, '0') + '0'.repeat(16);
}

/** The smallest ObjectId (hex) of the next hour: every id of `bucket` sorts below it. */
export function bucketCeilId(bucket: string): string {
  return Math.floor(bucketEndMs(bucket) / 1000).toString(16).padStart(8, '0') + '0'.repeat(16);
}

export function archiveCollection(bucket: string): string {
  return ARCHIVE_PREFIX + bucket;
}

export function logCollection(bucket: string): string {
  return LOG_PREFIX + bucket;
}

/**
 * A log table of an hour: `task_logs_<hour>_<suffix>`, one of the size-bounded collections
 * that hold the hour's log lines (the hour collection itself holds only their directory).
 */
export function logTableCollection(bucket: string, suffix: string): string {
  return `${LOG_PREFIX}${bucket}_${suffix}`;
}

/** The hour of a log table name, or null for any other name. */
export function bucketOfLogTable(name: string): string | null {
  const m = /^task_logs_(\d{10})_[0-9a-z]+$/.exec(name);
  return m ? m[1] : null;
}

/** The bucket named by a collection name with `prefix`, or null for any other name. */
export function bucketOfCollection(name: string, prefix: string): string | null {
  if (!name.startsWith(prefix)) return null;
  const b = name.slice(prefix.length);
  return /^\d{10}$/.test(b) ? b : null;
}

/** Newest first. Ids are compared as hex ObjectIds: creation order, ties broken by the rest. */
export function newestFirst<T extends { _id: { toString(): string } }>(a: T, b: T): number {
  const x = String(a._id);
  const y = String(b._id);
  return x < y ? 1 : x > y ? -1 : 0;
}
