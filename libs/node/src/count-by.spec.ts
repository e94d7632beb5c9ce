import { countBy } from './count-by';

describe('countBy', () => {
  it.each([
    { values: [], keys: ['online', 'offline'], want: { online: 0, offline: 0 } },
    { values: ['online', 'online', 'offline'], keys: ['online', 'offline'], want: { online: 2, offline: 1 } },
    { values: ['online', 'lost', 'toString'], keys: ['online', 'offline'], want: { online: 1, offline: 0 } },
  ])('counts $values over $keys', ({ values, keys, want }) => {
    expect(countBy(values, keys)).toEqual(want);
  });
});
