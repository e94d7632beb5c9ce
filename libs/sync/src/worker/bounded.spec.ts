import { mapBounded, runBounded } from './bounded';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('runBounded / mapBounded: file-system calls side by side, never more than the limit', () => {
  it('never has more than `limit` calls in flight, and runs every item once', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    await runBounded([...Array(50).keys()], 4, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await tick();
      seen.push(n);
      inFlight--;
    });
    expect(most).toBe(4);
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
  });

  it('keeps results in the order of the items, whatever order the calls end in', async () => {
    const out = await mapBounded([30, 1, 20, 2, 10], 3, async (ms) => {
      await new Promise((r) => setTimeout(r, ms));
      return ms * 2;
    });
    expect(out).toEqual([60, 2, 40, 4, 20]);
  });

  it('throws the first error and starts no new item after it', async () => {
    const started: number[] = [];
    await expect(
      runBounded([...Array(20).keys()], 2, async (n) => {
        started.push(n);
        await tick();
        if (n === 3) throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    await new Promise((r) => setTimeout(r, 20));
    expect(started.length).toBeLessThanOrEqual(5); // 0..3, and at most the one beside 3
  });

  it('does nothing for no items', async () => {
    expect(await mapBounded([], 8, async () => 1)).toEqual([]);
  });
});
