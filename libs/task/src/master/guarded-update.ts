/**
 * The guard of a conditional write on an open task: field → required value, or `{ $in: [...] }`,
 * put in the filter of one findOneAndUpdate beside the `_id`.
 *
 * MongoDB applies it atomically. FerretDB 1.x serves only a bare `{ _id: v }` filter from its
 * `_id` index: with one more field the command scans the collection, then writes by `_id` (a
 * read then a write, not atomic). That scan is why these writes once named the bare `_id` and
 * checked the guard on a separate read (measured with 10k documents in `tasks`: `updateOne({_id})`
 * 21 ms, `updateOne({_id, attempt})` 196 ms). Since the backlog moved to `task_queue`, `tasks`
 * holds only the open attempts (assigned, running, re-queued: about the cluster's runner slots),
 * so the scan is small and one command costs less than two round trips. Its window between the
 * read and the write is inside FerretDB, shorter than the client's read-then-write it replaced.
 * What makes a change exactly-once is unchanged: the dispatch and close claims (atomic inserts).
 */
export type Guard = Record<string, unknown>;
