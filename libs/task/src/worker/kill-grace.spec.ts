import { killGraceMsOf } from './kill-grace';

describe('killGraceMsOf', () => {
  it.each([
    [0, 5000, 5000],
    [6, 5000, 6000],
    [3600, 300, 3_600_000],
  ])('assignment %i s, worker default %i ms: %i ms', (sec, def, want) => {
    expect(killGraceMsOf({ killGraceSec: sec }, def)).toBe(want);
  });
});
