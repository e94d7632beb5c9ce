import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it.each([
    [0, 0, 50],
    [0, 1, 100],
    [1, 0, 100],
    [3, 1, 800],
    [10, 1, 2000], // capped
    [50, 0.5, 1500], // huge attempt numbers stay capped, no overflow
  ])('attempt %i with random %d waits %i ms (base 100, cap 2000)', (attempt, r, ms) => {
    expect(backoffDelay(attempt, 100, 2000, () => r)).toBe(ms);
  });

  it('never exceeds the cap and never drops below half the ceiling', () => {
    for (let a = 0; a < 20; a++) {
      const d = backoffDelay(a, 100, 2000);
      const ceiling = Math.min(2000, 100 * 2 ** a);
      expect(d).toBeGreaterThanOrEqual(ceiling / 2);
      expect(d).toBeLessThanOrEqual(ceiling);
    }
  });
});
