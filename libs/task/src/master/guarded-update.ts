/**
 * The guard of a conditional write on an open task: field → required value, or `{ $in: [...] }`.
 * MongoDB applies it atomically as part of the write's filter.
 *
 * FerretDB 1.x serves only a bare `{ _id: v }` filter from its `_id` index: add one more field
 * and the write scans the whole collection (measured with 10k documents: `updateOne({_id})`
 * 21 ms, `updateOne({_id, attempt})` 196 ms, `deleteOne({_id, attempt})` ~400 ms). Its
 * update is read-then-write anyway, so the guard is not atomic there either; on FerretDB the
 * guard is checked on a read by `_id` and the write names only the `_id`. The window between
 * the two is one round trip, shorter than FerretDB's own read-then-write under a backlog (a
 * scan of the collection).
 */
export type Guard = Record<string, unknown>;

/** Whether `doc` satisfies `guard` (equality, or membership for `{ $in }`), as the database would. */
export function matchesGuard(doc: Record<string, unknown>, guard: Guard): boolean {
  return Object.entries(guard).every(([field, want]) => {
    const have = doc[field] ?? null;
    if (want !== null && typeof want === 'object' && '$in' in want) return (want.$in as unknown[]).some((v) => sameValue(have, v));
    return sameValue(have, want);
  });
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // ObjectIds and Dates compare by value, as in a filter.
  return a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && String(a) === String(b);
}
