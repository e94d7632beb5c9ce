import { isDuplicateKeyError } from './errors';

const DUPLICATE_KEY = 11000;

type WriteErrorLike = { index: number; code?: number };
type BulkErrorLike = { writeErrors?: WriteErrorLike | WriteErrorLike[]; insertedCount?: number; result?: { insertedCount?: number } };

/**
 * Per document of a failed unordered insert of `n` documents (claims, moves into `tasks`):
 * true (inserted: a claim is won), false (duplicate `_id`: someone holds it), or an Error
 * (unknown: the caller fails as on any database error, and a retry meets the document if it
 * did land).
 *
 * A document counts as inserted only when the error names each failed document by index and the
 * inserted count equals the rest: an error that does not account for every document (a cut
 * connection, a server that stopped at the first failure) leaves every unnamed document
 * unknown, never won.
 */
export function insertOutcomes(err: unknown, n: number): (boolean | Error)[] {
  const unknown = (): Error[] => Array.from({ length: n }, () => (err instanceof Error ? err : new Error(String(err))));
  const bulk = err as BulkErrorLike;
  const raw = bulk?.writeErrors;
  if (!raw) return unknown();
  const writeErrors = Array.isArray(raw) ? raw : [raw];
  const inserted = bulk.insertedCount ?? bulk.result?.insertedCount;
  if (typeof inserted !== 'number' || inserted + writeErrors.length !== n) return unknown();
  const out: (boolean | Error)[] = Array.from({ length: n }, () => true);
  for (const w of writeErrors) {
    if (typeof w.index !== 'number' || w.index < 0 || w.index >= n) return unknown();
    out[w.index] = w.code === DUPLICATE_KEY || isDuplicateKeyError(w) ? false : new Error(`insert failed: ${JSON.stringify(w)}`);
  }
  return out;
}
