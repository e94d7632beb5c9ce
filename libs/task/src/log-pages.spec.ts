import { LogBatch, MAX_HOPS_PER_STRIDE, readLogPage, splitAtStrides, strideStart } from './log-pages';

type L = { seq: number };
const lines = (from: number, to: number): L[] => Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i }));
const seqs = (ls: L[]) => ls.map((l) => l.seq);

/** Stores batches by their start, as the database does by `_id`, and counts lookups and stride reads. */
function store(batches: LogBatch<L>[], stride = 10) {
  const byFrom = new Map(batches.map((b) => [b.from, b]));
  const lookups: number[] = [];
  const strideReads: number[] = [];
  return {
    lookups,
    strideReads,
    lookup: async (from: number) => {
      lookups.push(from);
      return byFrom.get(from) ?? null;
    },
    stride: async (start: number) => {
      strideReads.push(start);
      return batches.filter((b) => strideStart(b.from, stride) === start);
    },
  };
}

describe('strideStart', () => {
  it.each([
    [1, 1],
    [10, 1],
    [11, 11],
    [20, 11],
    [21, 21],
  ])('seq %i lies in the stride starting at %i (stride 10)', (seq, start) => {
    expect(strideStart(seq, 10)).toBe(start);
  });
});

describe('splitAtStrides', () => {
  it('cuts a run at every stride boundary and nowhere else', () => {
    const parts = splitAtStrides(lines(7, 33), 10);
    expect(parts.map((p) => [p.from, p.to])).toEqual([
      [7, 10],
      [11, 20],
      [21, 30],
      [31, 33],
    ]);
    expect(parts.flatMap((p) => seqs(p.lines))).toEqual(seqs(lines(7, 33)));
  });

  it('sorts, drops repeated seqs, and starts a new batch at a gap', () => {
    const parts = splitAtStrides([{ seq: 3 }, { seq: 2 }, { seq: 3 }, { seq: 6 }], 10);
    expect(parts.map((p) => [p.from, p.to])).toEqual([
      [2, 3],
      [6, 6],
    ]);
  });
});

describe('readLogPage', () => {
  // A log of 35 lines sent as batches of 7 (1-7, 8-14, ...) and stored cut at strides of 10.
  const stored = [1, 8, 15, 22, 29].flatMap((f) => splitAtStrides(lines(f, Math.min(f + 6, 35)), 10));

  it('reads from the start, across strides, up to the limit', async () => {
    const s = store(stored);
    expect(seqs(await readLogPage(s, 0, 12, 10))).toEqual(seqs(lines(1, 12)));
  });

  it.each([0, 1, 9, 10, 11, 17, 20, 29, 34])('reads from an arbitrary after=%i without walking earlier strides', async (after) => {
    const s = store(stored);
    const page = await readLogPage(s, after, 5, 10);
    expect(seqs(page)).toEqual(seqs(lines(after + 1, Math.min(after + 5, 35))));
    expect(s.lookups[0]).toBe(strideStart(after + 1, 10));
    expect(s.lookups.every((f) => f >= strideStart(after + 1, 10))).toBe(true);
  });

  it('ends at the end of the log, and past it answers an empty page', async () => {
    expect(seqs(await readLogPage(store(stored), 30, 100, 10))).toEqual(seqs(lines(31, 35)));
    expect(await readLogPage(store(stored), 35, 100, 10)).toEqual([]);
    expect(await readLogPage(store(stored), 500, 100, 10)).toEqual([]);
    expect(await readLogPage(store([]), 0, 100, 10)).toEqual([]);
  });

  it('a stored batch overlapping the previous one (a resend cut differently) yields each line once', async () => {
    // A batch stored at 7 that also carries 5 and 6 (cut differently from the one before it).
    const s = store([
      { from: 1, to: 6, lines: lines(1, 6) },
      { from: 7, to: 10, lines: lines(5, 10) },
      { from: 11, to: 14, lines: lines(11, 14) },
    ]);
    expect(seqs(await readLogPage(s, 0, 100, 10))).toEqual(seqs(lines(1, 14)));
  });

  it('a non-integer or negative after reads from the first line', async () => {
    expect(seqs(await readLogPage(store(stored), -3, 2, 10))).toEqual([1, 2]);
  });

  it('a stride of many one-line batches (a slow logger) is read whole after a few hops, not line by line', async () => {
    const s = store(splitAtStrides(lines(1, 25), 10).flatMap((b) => b.lines.map((l) => ({ from: l.seq, to: l.seq, lines: [l] }))));
    expect(seqs(await readLogPage(s, 3, 100, 10))).toEqual(seqs(lines(4, 25)));
    expect(s.lookups.length).toBeLessThanOrEqual(3 * MAX_HOPS_PER_STRIDE);
    expect(s.strideReads).toEqual([1, 11, 21]);
  });

  it('a hole in the stored lines (a batch not stored yet) ends the page before it, never skips it', async () => {
    const s = store([
      { from: 1, to: 4, lines: lines(1, 4) },
      { from: 7, to: 9, lines: lines(7, 9) },
    ]);
    expect(seqs(await readLogPage(s, 0, 100, 10))).toEqual([1, 2, 3, 4]);
  });
});
