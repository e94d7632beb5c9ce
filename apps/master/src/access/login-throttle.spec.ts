import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  let now = 0;
  const throttle = () => new LoginThrottle(5, 300_000, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it.each([
    [4, 0],
    [5, 300],
  ])('after %i failures the wait is %i s', (failures, wait) => {
    const t = throttle();
    for (let i = 0; i < failures; i++) t.fail(['user:a']);
    expect(t.retryAfterSec(['user:a'])).toBe(wait);
  });

  it('counts per key: another user from another address is not held back', () => {
    const t = throttle();
    for (let i = 0; i < 5; i++) t.fail(['user:a', 'ip:1']);
    expect(t.retryAfterSec(['user:b', 'ip:2'])).toBe(0);
    expect(t.retryAfterSec(['user:b', 'ip:1'])).toBe(300);
  });

  it('forgets failures older than the window', () => {
    const t = throttle();
    for (let i = 0; i < 5; i++) t.fail(['ip:1']);
    now += 299_000;
    expect(t.retryAfterSec(['ip:1'])).toBe(1);
    now += 1_000;
    expect(t.retryAfterSec(['ip:1'])).toBe(0);
  });
});
