import { CurrentAttempts } from './current-attempts';

describe('CurrentAttempts (log batches skip the currency read for a second)', () => {
  let t = 0;
  const c = new CurrentAttempts(1000, () => t);

  it('knows an attempt for ttl after it was remembered, then checks again', () => {
    c.remember('t1', 1, 'n1');
    expect(c.has('t1', 1, 'n1')).toBe(true);
    t = 999;
    expect(c.has('t1', 1, 'n1')).toBe(true);
    t = 1000;
    expect(c.has('t1', 1, 'n1')).toBe(false);
  });

  it('keeps attempts and nodes apart, and forgets a closed attempt at once', () => {
    t = 0;
    c.remember('t2', 1, 'n1');
    expect(c.has('t2', 2, 'n1')).toBe(false);
    expect(c.has('t2', 1, 'n2')).toBe(false);
    c.forget('t2', 1, 'n1');
    expect(c.has('t2', 1, 'n1')).toBe(false);
  });
});
