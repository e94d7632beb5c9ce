import { versionsToPrune } from './version-retention';

describe('versionsToPrune', () => {
  it.each<[string, number[], number, number[], number[]]>([
    ['keeps the newest N', [1, 2, 3, 4, 5], 3, [], [2, 1]],
    ['keeps a version an open task references', [1, 2, 3, 4, 5], 2, [1], [3, 2]],
    ['fewer versions than N: nothing', [1, 2], 10, [], []],
    ['never deletes the newest, whatever N says', [7, 8], 0, [], [7]],
    ['unordered input', [5, 1, 3, 2, 4], 1, [3], [4, 2, 1]],
  ])('%s', (_n, versions, keep, pinned, expected) => {
    expect(versionsToPrune(versions, keep, new Set(pinned))).toEqual(expected);
  });
});
