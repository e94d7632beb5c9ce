import { LastGoodSnapshot } from './last-good-snapshot';

describe('LastGoodSnapshot', () => {
  it('shares one load between concurrent readers', async () => {
    let loads = 0;
    const s = new LastGoodSnapshot(async () => ++loads, 1000, () => undefined);
    const got = await Promise.all([s.get(), s.get(), s.get()]);
    expect(got).toEqual([1, 1, 1]);
    expect(loads).toBe(1);
    expect(await s.get()).toBe(2); // the next scrape loads again
  });

  it('keeps the last good value when a load fails, and reports the failure', async () => {
    const errors: unknown[] = [];
    let fail = false;
    const s = new LastGoodSnapshot(async () => {
      if (fail) throw new Error('db down');
      return 'fresh';
    }, 1000, (e) => errors.push(e));
    expect(await s.get()).toBe('fresh');
    fail = true;
    expect(await s.get()).toBe('fresh');
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('db down');
  });

  it('gives up on a load that outlasts the timeout', async () => {
    const errors: unknown[] = [];
    const s = new LastGoodSnapshot(() => new Promise<number>(() => undefined), 20, (e) => errors.push(e));
    expect(await s.get()).toBeUndefined();
    expect(String(errors[0])).toContain('no answer within 20 ms');
  });
});
