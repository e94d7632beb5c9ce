import { cronPreview } from './cron-preview';

describe('cron preview', () => {
  const from = new Date('2026-03-01T10:07:30Z');

  it('puts an expression into words with its next five run times (UTC)', () => {
    const p = cronPreview('*/15 * * * *', { from });
    if ('error' in p) throw new Error(p.error);
    expect(p.words).toBe('Every 15 minutes');
    expect(p.next.map((d) => d.toISOString())).toEqual([
      '2026-03-01T10:15:00.000Z',
      '2026-03-01T10:30:00.000Z',
      '2026-03-01T10:45:00.000Z',
      '2026-03-01T11:00:00.000Z',
      '2026-03-01T11:15:00.000Z',
    ]);
  });

  it('accepts six fields (with seconds)', () => {
    const p = cronPreview('*/10 * * * * *', { from, count: 2 });
    if ('error' in p) throw new Error(p.error);
    expect(p.next.map((d) => d.toISOString())).toEqual(['2026-03-01T10:07:40.000Z', '2026-03-01T10:07:50.000Z']);
  });

  it('counts in the schedule timezone', () => {
    const p = cronPreview('0 9 * * *', { from, count: 1, tz: 'Europe/Paris' });
    if ('error' in p) throw new Error(p.error);
    expect(p.next[0].toISOString()).toBe('2026-03-02T08:00:00.000Z');
  });

  it.each([
    ['', 'expected 5 or 6 fields, got 0'],
    ['* * *', 'expected 5 or 6 fields, got 3'],
    ['* * * * * * *', 'expected 5 or 6 fields, got 7'],
  ])('refuses %p: %p', (expr, msg) => expect(cronPreview(expr, { from })).toEqual({ error: msg }));

  it('refuses a field out of range with a reason', () => {
    expect(cronPreview('61 * * * *', { from })).toEqual({ error: 'minutes part must be >= 0 and <= 59' });
  });
});
