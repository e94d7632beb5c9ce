import { resultDocId } from '../dedup-key';
import { newestFirst } from './newest-first';

describe('newestFirst', () => {
  const now = Date.UTC(2026, 10, 29, 12);
  // 20k items over the last 2 hours, a burst of 5000 in one second, and 3 from a year ago.
  const ids: string[] = [];
  for (let i = 0; i < 20_000; i++) ids.push(resultDocId(now - 7_200_000 + i * 360, 't', 1, i));
  for (let i = 0; i < 5000; i++) ids.push(resultDocId(now - 30_000 + (i % 1000), 'u', 1, i));
  for (let i = 0; i < 3000; i++) ids.push(resultDocId(now - 50_000, 'w', 1, i)); // one line of 3000 items: one millisecond
  for (let i = 0; i < 3; i++) ids.push(resultDocId(now - 365 * 86_400_000 + i, 'v', 1, i));
  const docs = ids.map((_id) => ({ _id }));
  const sorted = [...ids].sort().reverse();

  it.each([1, 20, 2000, 9000, 28_003, 30_000])('returns the %i newest in order, with range reads no larger than the cap', async (need) => {
    let reads = 0;
    const got = await newestFirst(
      async (lo, hi, limit) => {
        reads++;
        const inRange = docs.filter((d) => (lo === null || d._id >= lo) && (hi === null || d._id < hi)).slice(0, limit || undefined);
        return { docs: inRange, scanned: inRange.length };
      },
      need,
      now,
    );
    expect(got.map((d) => d._id)).toEqual(sorted.slice(0, need));
    expect(reads).toBeLessThan(200);
  });
});
