import { mayRetry, retriesUsed } from './retries';

const handedBack = { handedBack: true };
const other = {};

describe('retries', () => {
  it.each([
    [{ attempt: 1, maxRetries: 0 }, 0, false],
    [{ attempt: 1, maxRetries: 1 }, 0, true],
    [{ attempt: 2, maxRetries: 1, attempts: [other] }, 1, false],
    [{ attempt: 2, maxRetries: 1, attempts: [handedBack] }, 0, true],
    [{ attempt: 2, maxRetries: 0, attempts: [handedBack] }, 0, false],
    [{ attempt: 4, maxRetries: 2, attempts: [handedBack, other, handedBack] }, 1, true],
    [{ attempt: 3, maxRetries: 2, attempts: [other, other] }, 2, false],
    // Tasks stored before attempts were recorded count by their attempt number.
    [{ attempt: 3, maxRetries: 5 }, 2, true],
  ])('%j has used %i retries; may retry: %s', (t, used, may) => {
    expect(retriesUsed(t)).toBe(used);
    expect(mayRetry(t)).toBe(may);
  });
});
