/**
 * How one attempt's log lines are cut into stored batches, and how a page is read back with
 * `_id` lookups only.
 *
 * Why: on the embedded FerretDB (1.24, SQLite) only a filter `{_id: <string>}` reaches SQLite,
 * and a findOne stops at its first match; any other filter decodes the whole collection. So a
 * page read must be a short walk of `_id` equalities whose ids the reader can compute:
 * - a stored batch never crosses a stride boundary, so the batch holding the first line of
 *   stride `k` always starts at `k * STRIDE + 1`: any `after` maps to a known `_id` (no
 *   directory document, so no lost-update hazard on FerretDB's read-then-write updates);
 * - inside a stride, batches are contiguous (each next one starts at `to + 1`): a chain.
 * Lines are numbered from 1 without gaps by the worker, and a batch is resent with the same
 * composition until stored, so the chain never has a hole once a batch is acknowledged.
 */
export const LOG_STRIDE = 1000;

export type LogBatch<L extends { seq: number }> = { from: number; to: number; lines: L[] };

/** `_id` of the batch starting at `from` (stable: resends of it collide on insert). */
export function logBatchId(taskId: string, attempt: number, from: number): string {
  return `${taskId}:${attempt}:${from}`;
}

/** First seq of the stride holding `seq`. */
export function strideStart(seq: number, stride = LOG_STRIDE): number {
  return Math.floor((seq - 1) / stride) * stride + 1;
}

/**
 * Splits a contiguous run of lines (sorted, deduplicated by seq here) into batches that do
 * not cross a stride boundary, in seq order.
 */
export function splitAtStrides<L extends { seq: number }>(lines: L[], stride = LOG_STRIDE): LogBatch<L>[] {
  const sorted = [...new Map(lines.map((l) => [l.seq, l])).values()].sort((a, b) => a.seq - b.seq);
  const out: LogBatch<L>[] = [];
  for (const l of sorted) {
    const last = out[out.length - 1];
    if (last && last.to === l.seq - 1 && strideStart(l.seq, stride) === strideStart(last.from, stride)) {
      last.lines.push(l);
      last.to = l.seq;
    } else {
      out.push({ from: l.seq, to: l.seq, lines: [l] });
    }
  }
  return out;
}

/** Reads the batch stored with start `from`, or null when none is. */
export type BatchLookup<L extends { seq: number }> = (from: number) => Promise<LogBatch<L> | null>;

/**
 * Up to `limit` lines with seq > `after`, in order: a lookup of the stride start of
 * `after + 1`, then the chain. Ends at the first start not stored (the end of the log so far).
 * A stored batch that overlaps an earlier one (a resend cut differently) only costs a skip:
 * lines at or below what was already returned are dropped.
 */
export async function readLogPage<L extends { seq: number }>(
  lookup: BatchLookup<L>,
  after: number,
  limit: number,
  stride = LOG_STRIDE,
): Promise<L[]> {
  const out: L[] = [];
  const want = Math.max(1, Math.floor(after) + 1);
  let last = want - 1;
  let next: number | null = strideStart(want, stride);
  while (next !== null && out.length < limit) {
    const batch = await lookup(next);
    if (!batch) break;
    for (const l of batch.lines) {
      if (l.seq > last && out.length < limit) {
        out.push(l);
        last = l.seq;
      }
    }
    next = batch.to >= batch.from ? batch.to + 1 : null;
  }
  return out;
}
