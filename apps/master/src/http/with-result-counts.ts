import { ZERO_COUNTS, type ResultsQueryService } from '@crawlnest/results';

/** Adds resultCount / resultErrors / resultDuplicates (summed from the batch ledgers) to task views. */
export async function withTaskCounts<T extends { id: string }>(results: ResultsQueryService, tasks: T[]) {
  const counts = await results.countsOfTasks(tasks.map((t) => t.id));
  return tasks.map((t) => ({ ...t, ...counts.get(t.id)! }));
}

/** Task views of tasks just created: no attempt has run, so nothing is stored yet (no ledger read per create). */
export function withNewTaskCounts<T extends { id: string }>(tasks: T[]) {
  return tasks.map((t) => ({ ...t, ...ZERO_COUNTS }));
}

/** Adds resultCount and dedupBackfill to spider views. */
export async function withSpiderCounts<T extends { id: string }>(results: ResultsQueryService, spiders: T[]) {
  const ids = spiders.map((s) => s.id);
  const [counts, backfills] = await Promise.all([results.countsOfSpiders(ids), results.backfillViews(ids)]);
  return spiders.map((s) => ({ ...s, resultCount: counts.get(s.id) ?? 0, dedupBackfill: backfills.get(s.id) ?? null }));
}
