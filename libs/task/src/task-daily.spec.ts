import { applyDay, dailyId, emptyDay, lastDays, sumDays } from './task-daily';

describe('daily task counts', () => {
  const at = (iso: string) => new Date(iso);

  it('counts runs by status and the duration of those that started', () => {
    const c = emptyDay();
    applyDay(c, { status: 'finished', startedAt: at('2026-12-06T10:00:00Z'), finishedAt: at('2026-12-06T10:00:30Z') }, 0);
    applyDay(c, { status: 'error', startedAt: at('2026-12-06T10:00:00Z'), finishedAt: at('2026-12-06T10:00:10Z') }, 0);
    applyDay(c, { status: 'cancelled', startedAt: null, finishedAt: at('2026-12-06T10:00:10Z') }, 0);
    applyDay(c, { status: 'running', startedAt: null, finishedAt: null }, 0);
    expect(c).toEqual({ byStatus: { finished: 1, error: 1, cancelled: 1 }, durationMs: 40_000, timedRuns: 2 });
  });

  it('sums replicas and lists days oldest first', () => {
    expect(sumDays([{ byStatus: { finished: 2 }, durationMs: 10, timedRuns: 2 }, { byStatus: { finished: 1, error: 1 }, durationMs: 5, timedRuns: 1 }])).toEqual({
      byStatus: { finished: 3, error: 1 },
      durationMs: 15,
      timedRuns: 3,
    });
    expect(lastDays(Date.parse('2026-12-06T01:00:00Z'), 3)).toEqual(['2026-12-04', '2026-12-05', '2026-12-06']);
    expect(dailyId('s1', '2026-12-06', 'r1')).toBe('s1:2026-12-06:r1');
  });
});
