import { formatAgo, formatBytes, formatCell, formatDuration, formatPairs, liveDurationMs, livePrepareMs, parsePairs, taskDuration } from './format';

describe('dashboard formatting', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [50 * 1024 * 1024, '50 MiB'],
    [3 * 1024 ** 4, '3.0 TiB'],
    [NaN, '—'],
    [null, '—'],
  ])('bytes %p as %p', (n, s) => expect(formatBytes(n as number | null)).toBe(s));

  it.each([
    [850, '850 ms'],
    [5_000, '5s'],
    [185_000, '3m 05s'],
    [3_720_000, '1h 02m'],
    [3 * 86_400_000 + 3_600_000, '3d 1h'],
    [-1, '—'],
  ])('duration %p as %p', (ms, s) => expect(formatDuration(ms)).toBe(s));

  it('says how long ago, and in how long for a future time', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    expect(formatAgo('2026-01-01T00:09:00Z', now)).toBe('1m 00s ago');
    expect(formatAgo('2026-01-01T00:11:00Z', now)).toBe('in 1m 00s');
    expect(formatAgo(null, now)).toBe('—');
    expect(formatAgo('not a date', now)).toBe('—');
  });

  it('times a running task to now and a finished one to its end', () => {
    const now = Date.parse('2026-01-01T00:01:00Z');
    expect(taskDuration({ startedAt: '2026-01-01T00:00:00Z', finishedAt: null }, now)).toBe('1m 00s');
    expect(taskDuration({ startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:02Z' }, now)).toBe('2s');
    expect(taskDuration({ startedAt: null, finishedAt: null }, now)).toBe('—');
  });

  it('counts a task\'s duration up from the master\'s figure while it is active, and not once it ended', () => {
    const fetchedAt = 1_000_000;
    const running = { status: 'running', startedAt: 'x', finishedAt: null, durationMs: 4500, prepareMs: 3000 };
    expect(liveDurationMs(running, fetchedAt + 2000, fetchedAt)).toBe(6500);
    expect(taskDuration(running, fetchedAt + 2000, fetchedAt)).toBe('6s');
    expect(livePrepareMs(running, fetchedAt + 2000, fetchedAt)).toBe(3000);
    const building = { ...running, status: 'assigned', durationMs: 1200, prepareMs: 1200 };
    expect(livePrepareMs(building, fetchedAt + 800, fetchedAt)).toBe(2000);
    const ended = { ...running, status: 'finished', durationMs: 21_000 };
    expect(liveDurationMs(ended, fetchedAt + 60_000, fetchedAt)).toBe(21_000);
    // A master without durationMs: from the assignment, else the start.
    expect(liveDurationMs({ assignedAt: '2026-01-01T00:00:00Z', startedAt: '2026-01-01T00:00:20Z', finishedAt: '2026-01-01T00:00:21Z' })).toBe(21_000);
    expect(liveDurationMs({ status: 'pending', startedAt: null, finishedAt: null, durationMs: null })).toBeNull();
  });

  it('round-trips key=value pairs and names the bad part', () => {
    expect(formatPairs({ pool: 'a', 'topology.zone': 'eu' })).toBe('pool=a, topology.zone=eu');
    expect(parsePairs('pool=a, topology.zone = eu\nX=1=2')).toEqual({ value: { pool: 'a', 'topology.zone': 'eu', X: '1=2' }, error: null });
    expect(parsePairs('pool').error).toBe('"pool" is not key=value');
    expect(parsePairs('  ').value).toEqual({});
  });

  it('shows result cells as text', () => {
    expect(formatCell({ a: 1 })).toBe('{"a":1}');
    expect(formatCell(null)).toBe('');
    expect(formatCell(3)).toBe('3');
  });
});
