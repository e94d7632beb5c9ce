import { signBody, verifySignature } from './signature';
import { backoffMs, isRetryableStatus, nextAttemptDelayMs, retryAfterMs } from './retry-plan';

describe('signature', () => {
  it('is the hex HMAC-SHA256 of the raw body, verified in constant time', () => {
    // echo -n '{"a":1}' | openssl dgst -sha256 -hmac k
    expect(signBody('k', '{"a":1}')).toBe('sha256=' + require('node:crypto').createHmac('sha256', 'k').update('{"a":1}').digest('hex'));
    expect(verifySignature('k', '{"a":1}', signBody('k', '{"a":1}'))).toBe(true);
    expect(verifySignature('k', '{"a":2}', signBody('k', '{"a":1}'))).toBe(false);
    expect(verifySignature('k', '{"a":1}', undefined)).toBe(false);
  });
});

describe('retry plan', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [10, 60_000],
  ])('backoff of attempt %i is %i ms', (a, ms) => expect(backoffMs(a, 1000, 60_000)).toBe(ms));

  it('honours Retry-After in seconds or as a date, capped', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs('soon', 0)).toBeNull();
    expect(nextAttemptDelayMs(1, 3000, 1000, 60_000)).toBe(3000);
    expect(nextAttemptDelayMs(1, 999_999, 1000, 60_000)).toBe(60_000);
    expect(nextAttemptDelayMs(2, null, 1000, 60_000)).toBe(2000);
  });

  it.each([
    [500, true],
    [503, true],
    [429, true],
    [408, true],
    [404, false],
    [400, false],
  ])('status %i retryable: %s', (c, r) => expect(isRetryableStatus(c)).toBe(r));
});
