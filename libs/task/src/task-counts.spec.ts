import { applyActivity, applyEnded, emptyCounts, endedTotal, sumCounts } from './task-counts';

const t = (status: 'finished' | 'error' | 'pending', spiderId = 's1', nodeId: string | null = 'n1') => ({ status, spiderId, nodeId });

describe('task counts', () => {
  it('counts ended tasks by status, spider and node, and ignores open ones', () => {
    const c = emptyCounts();
    applyEnded(c, [t('finished'), t('finished', 's2', 'n2'), t('error'), t('pending')], 1);
    expect(c.ended).toEqual({ finished: 2, error: 1 });
    expect(c.bySpider).toEqual({ s1: { finished: 1, error: 1 }, s2: { finished: 1 } });
    expect(c.byNode).toEqual({ n1: { finished: 1, error: 1 }, n2: { finished: 1 } });
  });

  it('removal takes counts back and drops emptied keys', () => {
    const c = emptyCounts();
    applyEnded(c, [t('finished', 's2', 'n2')], 1);
    applyEnded(c, [t('finished', 's2', 'n2')], -1);
    expect(c).toEqual(emptyCounts());
  });

  it('a removal counted on another replica makes the sum right', () => {
    const a = emptyCounts();
    const b = emptyCounts();
    applyEnded(a, [t('finished'), t('finished')], 1);
    applyEnded(b, [t('finished')], -1);
    const s = sumCounts([a, b]);
    expect(s.ended).toEqual({ finished: 1 });
    expect(endedTotal(s.bySpider.s1)).toBe(1);
  });

  it('activity keeps a minute per row and forgets minutes past the hour', () => {
    const c = emptyCounts();
    const base = 1_000_000 * 60_000;
    applyActivity(c, 'finished', base);
    applyActivity(c, 'error', base + 10_000);
    expect(c.minutes).toEqual([{ m: 1_000_000, finished: 1, error: 1 }]);
    applyActivity(c, 'finished', base + 60 * 60_000);
    expect(c.minutes).toEqual([{ m: 1_000_060, finished: 1 }]);
  });

  it('endedTotal sums terminal statuses or reads one', () => {
    expect(endedTotal({ finished: 2, error: 1 })).toBe(3);
    expect(endedTotal({ finished: 2 }, 'error')).toBe(0);
    expect(endedTotal(undefined)).toBe(0);
  });
});
