import type { ResultMetaRepository } from './result-meta.repository';
import { ResultsQueryService } from './results-query.service';

type Ledger = { _id: string; lastSeq: number; stored: number; duplicates: number; rejected: number };

/** The ledgers as a map of `_id` → document, read only by `_id` (what FerretDB serves from its index). */
function service(ledgers: Ledger[]) {
  const byId = new Map(ledgers.map((l) => [l._id, l]));
  const reads: string[] = [];
  const meta = {
    ledgerCounts: async (id: string) => {
      reads.push(id);
      return byId.get(id) ?? null;
    },
  } as unknown as ResultMetaRepository;
  const s = new ResultsQueryService(null as never, null as never, null as never, meta, null as never, null as never, null as never, null as never);
  return { s, reads };
}

describe('countsOfEndedTask', () => {
  it('sums each attempt\'s batches by following their ledgers from seq 1', async () => {
    const { s, reads } = service([
      { _id: 't:1:1', lastSeq: 100, stored: 90, duplicates: 5, rejected: 5 },
      { _id: 't:1:101', lastSeq: 130, stored: 30, duplicates: 0, rejected: 0 },
      { _id: 't:2:1', lastSeq: 10, stored: 10, duplicates: 0, rejected: 0 },
      { _id: 't:2:11>u', lastSeq: 20, stored: -3, duplicates: 0, rejected: 0 },
      { _id: 'u:1:1', lastSeq: 10, stored: 10, duplicates: 0, rejected: 0 },
    ]);
    expect(await s.countsOfEndedTask('t', 2)).toEqual({ resultCount: 130, resultDuplicates: 5, resultErrors: 5 });
    expect(reads).toEqual(['t:1:1', 't:1:101', 't:1:131', 't:2:1', 't:2:11']);
  });

  it('is zero for a task without items, in one read per attempt', async () => {
    const { s, reads } = service([]);
    expect(await s.countsOfEndedTask('t', 1)).toEqual({ resultCount: 0, resultDuplicates: 0, resultErrors: 0 });
    expect(reads).toEqual(['t:1:1']);
  });

  it('gives up past its read budget (the caller scans instead)', async () => {
    const { s } = service(Array.from({ length: 5 }, (_, i) => ({ _id: `t:1:${i * 10 + 1}`, lastSeq: i * 10 + 10, stored: 10, duplicates: 0, rejected: 0 })));
    expect(await s.countsOfEndedTask('t', 1, 3)).toBeNull();
    expect(await s.countsOfEndedTask('t', 1, 6)).toEqual({ resultCount: 50, resultDuplicates: 0, resultErrors: 0 });
  });
});
