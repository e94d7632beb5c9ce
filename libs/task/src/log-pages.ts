/**
 * How one attempt's log lines are cut into stored batches, and how a page is read back with
 * `_id` lookups.
 *
 * Why: on the embedded FerretDB (1.24, SQLite) only a filter `{_id: <string>}` reaches SQLite
 * (still a scan of that collection, but ~10x cheaper than any other filter, which FerretDB
 * decodes document by document). So a page read is a short walk of `_id` equalities whose
 * ids the reader can compute:
 * - a stored batch never crosses a stride boundary, so the batch holding the first line of
 *   stride `k` always starts at `k * STRIDE + 1`: any `after` maps to a known `_id`;
 * - inside a stride, batches are contiguous (each next one starts at `to + 1`): a chain.
 * Lines are numbered from 1 without gaps by the worker, and a batch is resent with the same
 * composition until stored, so the chain never has a hole once a batch is acknowledged.
 * Where the batches live (bounded tables, a directory of strides) is TaskLogRepository's job.
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

/** How a page read reaches stored batches (the repository binds these to collections). */
export type BatchSource<L extends { seq: number }> = {
  /** The batch stored with start `from`, or null when none is. */
  lookup(from: number): Promise<LogBatch<L> | null>;
  /** Every batch stored in the stride starting at `start` (one bounded query), any order. */
  stride(start: number): Promise<LogBatch<L>[]>;
};

/** Chain lookups tried in one stride before reading the whole stride at once (a slow logger's many small batches). */
export const MAX_HOPS_PER_STRIDE = 4;

/**
 * Up to `limit` lines with seq > `after`, in order, stride by stride from the stride of
 * `after + 1`: the chain of batches from the stride start (`to + 1` is the next start), and
 * when a stride holds more than MAX_HOPS_PER_STRIDE batches, the stride read whole. Stops at
 * the first stride not filled to its end (the end of the log so far). A batch overlapping an
 * earlier one (a resend cut differently) costs only a skip: each seq is returned once.
 */
export async function readLogPage<L extends { seq: number }>(
  src: BatchSource<L>,
  after: number,
  limit: number,
  stride = LOG_STRIDE,
): Promise<L[]> {
  const out: L[] = [];
  let last = Math.max(0, Math.floor(after));
  for (let s = strideStart(last + 1, stride); out.length < limit; s += stride) {
    const lines = await readStride(src, s, stride);
    for (const l of lines) {
      if (out.length >= limit) break;
      if (l.seq === last + 1) {
        out.push(l);
        last = l.seq;
      }
    }
    if (last < s + stride - 1) break; // this stride is not filled (yet): nothing stored beyond it
  }
  return out;
}

/** The lines stored in one stride, in seq order, each once, up to the first gap. */
async function readStride<L extends { seq: number }>(src: BatchSource<L>, start: number, stride: number): Promise<L[]> {
  const end = start + stride - 1;
  const found: LogBatch<L>[] = [];
  let next = start;
  for (let hop = 0; next <= end; hop++) {
    if (hop === MAX_HOPS_PER_STRIDE) {
      found.push(...(await src.stride(start)));
      break;
    }
    const b = await src.lookup(next);
    if (!b) break;
    found.push(b);
    next = b.to + 1;
  }
  const bySeq = new Map<number, L>();
  for (const b of found) for (const l of b.lines ?? []) if (l.seq >= start && l.seq <= end && !bySeq.has(l.seq)) bySeq.set(l.seq, l);
  const lines: L[] = [];
  for (let seq = start; bySeq.has(seq); seq++) lines.push(bySeq.get(seq) as L);
  return lines;
}
