import { cronProblem, nextRun } from './cron-expression';

describe('cron expressions', () => {
  it.each(['* * * * *', '*/5 * * * *', '* * * * * *', '0 0 1 * *', '30 2 * * 1-5'])('accepts %j', (e) => {
    expect(cronProblem(e)).toBeNull();
  });

  it.each([
    ['', 'expected 5 or 6 fields, got 1'],
    ['* * *', 'expected 5 or 6 fields, got 3'],
    ['* * * * * * *', 'expected 5 or 6 fields, got 7'],
    ['61 * * * *', null],
    ['nonsense here x y z', null],
    ['0 0 30 2 *', 'matches no date: it would never run'],
    ['0 0 0 31 11 *', 'matches no date: it would never run'],
  ])('refuses %j', (e, exact) => {
    const p = cronProblem(e);
    expect(p).not.toBeNull();
    if (exact) expect(p).toBe(exact);
  });

  it('computes the next run in the future', () => {
    const n = nextRun('* * * * * *').getTime();
    expect(n).toBeGreaterThan(Date.now() - 1);
    expect(n).toBeLessThanOrEqual(Date.now() + 1000);
  });
});
