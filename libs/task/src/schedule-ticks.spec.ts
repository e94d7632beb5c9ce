import { nextFireTimes, planTicks, TickPlanInput, tickClaimId, timezoneProblem } from './schedule-ticks';

const T = (iso: string) => new Date(iso).getTime();
const iso = (ms: number[]) => ms.map((m) => new Date(m).toISOString());

describe('planTicks (which nominal ticks a replica fires)', () => {
  const base: TickPlanInput = {
    cron: '* * * * * *',
    timezone: 'UTC',
    catchUp: 'none',
    cursor: T('2026-01-01T00:00:00.000Z'),
    now: T('2026-01-01T00:00:00.900Z'),
    runningSince: T('2025-12-31T00:00:00Z'),
    lateLimitMs: 60_000,
  };

  it.each<[string, Partial<TickPlanInput>, string[]]>([
    ['nothing due before the next second', {}, []],
    ['a timer 3 ms late fires the nominal tick, not the wall clock', { now: T('2026-01-01T00:00:01.003Z') }, ['2026-01-01T00:00:01.000Z']],
    ['a timer 3 ms early fires nothing yet', { now: T('2026-01-01T00:00:00.997Z') }, []],
    [
      'a replica stalled 2.6 s finds every tick it slept through (the claim dedupes them)',
      { now: T('2026-01-01T00:00:03.600Z') },
      ['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z', '2026-01-01T00:00:03.000Z'],
    ],
    ['a tick exactly at the cursor was already considered', { cursor: T('2026-01-01T00:00:01.000Z'), now: T('2026-01-01T00:00:01.500Z') }, []],
    [
      'ticks before this replica ran are missed: none skips them',
      { cursor: T('2026-01-01T00:00:00Z'), runningSince: T('2026-01-01T00:00:05.500Z'), now: T('2026-01-01T00:00:06.100Z') },
      ['2026-01-01T00:00:06.000Z'],
    ],
    [
      'latest fires the newest missed tick once, then the on-time ones',
      { catchUp: 'latest', cursor: T('2026-01-01T00:00:00Z'), runningSince: T('2026-01-01T00:00:05.500Z'), now: T('2026-01-01T00:00:06.100Z') },
      ['2026-01-01T00:00:05.000Z', '2026-01-01T00:00:06.000Z'],
    ],
    [
      'latest with an hourly cron after a night without masters: one run, the 06:00 tick',
      { cron: '0 * * * *', catchUp: 'latest', cursor: T('2026-01-01T00:00:00Z'), runningSince: T('2026-01-01T06:30:00Z'), now: T('2026-01-01T06:30:00.200Z') },
      ['2026-01-01T06:00:00.000Z'],
    ],
    [
      'latest with nothing missed fires nothing extra',
      { cron: '0 * * * *', catchUp: 'latest', cursor: T('2026-01-01T06:00:00Z'), runningSince: T('2026-01-01T06:30:00Z'), now: T('2026-01-01T06:30:00.200Z') },
      [],
    ],
    [
      'a replica stalled past the late limit does not fire every tick it slept through',
      { now: T('2026-01-01T00:10:00.500Z'), lateLimitMs: 2000 },
      ['2026-01-01T00:09:59.000Z', '2026-01-01T00:10:00.000Z'],
    ],
    [
      'the zone decides: 09:00 in Asia/Tokyo is 00:00 UTC',
      { cron: '0 9 * * *', timezone: 'Asia/Tokyo', cursor: T('2025-12-31T23:59:59Z'), now: T('2026-01-01T00:00:00.050Z') },
      ['2026-01-01T00:00:00.000Z'],
    ],
  ])('%s', (_name, over, expected) => {
    const plan = planTicks({ ...base, ...over });
    expect(iso(plan.fire)).toEqual(expected);
    expect(plan.cursor).toBeLessThanOrEqual(over.now ?? base.now);
    expect(plan.nextDue).toBeGreaterThan(over.now ?? base.now);
    if (plan.fire.length > 0) expect(plan.cursor).toBe(plan.fire[plan.fire.length - 1]);
  });

  it('never fires one nominal tick twice when passes come late and in bursts', () => {
    const fired: number[] = [];
    let cursor = T('2026-01-01T00:00:00Z');
    // Pass times: on time, a 2 s stall, a burst of passes 1 ms apart, another stall.
    const passes = [1.001, 2.004, 4.1, 4.101, 4.102, 5.0, 5.0, 7.9, 8.0, 10.5].map((s) => T('2026-01-01T00:00:00Z') + s * 1000);
    for (const now of passes) {
      const plan = planTicks({ ...base, cursor, now });
      fired.push(...plan.fire);
      cursor = plan.cursor;
    }
    expect(new Set(fired).size).toBe(fired.length);
    expect(iso(fired)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => new Date(T('2026-01-01T00:00:00Z') + s * 1000).toISOString()));
  });
});

describe('nextFireTimes across daylight saving time', () => {
  it.each<[string, string, string, string, string[]]>([
    [
      'Berlin daily 02:30 on the spring-forward day (02:00→03:00 skipped) still fires once',
      '30 2 * * *',
      'Europe/Berlin',
      '2026-03-28T00:00:00Z',
      ['2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z'],
    ],
    [
      'Berlin daily 02:30 on the fall-back day (02:00–03:00 twice) fires once, at the first',
      '30 2 * * *',
      'Europe/Berlin',
      '2026-10-24T00:00:00Z',
      ['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z'],
    ],
    [
      'New York hourly across fall-back keeps one run per real hour',
      '0 * * * *',
      'America/New_York',
      '2026-11-01T04:30:00Z',
      ['2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z', '2026-11-01T07:00:00.000Z'],
    ],
    ['UTC is the default zone and has no DST', '0 0 * * *', 'UTC', '2026-03-28T12:00:00Z', ['2026-03-29T00:00:00.000Z', '2026-03-30T00:00:00.000Z', '2026-03-31T00:00:00.000Z']],
  ])('%s', (_name, cron, tz, from, expected) => {
    expect(iso(nextFireTimes(cron, tz, T(from), expected.length))).toEqual(expected);
  });

  it('planTicks fires the spring-forward tick once in Berlin when a replica sleeps across it', () => {
    const plan = planTicks({
      cron: '30 2 * * *',
      timezone: 'Europe/Berlin',
      catchUp: 'none',
      cursor: T('2026-03-29T00:59:59Z'),
      now: T('2026-03-29T01:30:02Z'),
      runningSince: 0,
      lateLimitMs: 60_000,
    });
    expect(iso(plan.fire)).toEqual(['2026-03-29T01:30:00.000Z']);
  });
});

it('a replica passing every second through the spring-forward gap fires the Berlin 02:30 tick exactly once', () => {
  const fired: number[] = [];
  let cursor = T('2026-03-28T01:30:00Z'); // the previous day's tick
  for (let now = T('2026-03-29T00:59:00.5Z'); now < T('2026-03-29T01:31:00Z'); now += 1000) {
    const plan = planTicks({ cron: '30 2 * * *', timezone: 'Europe/Berlin', catchUp: 'none', cursor, now, runningSince: 0, lateLimitMs: 60_000 });
    fired.push(...plan.fire);
    cursor = plan.cursor;
  }
  expect(iso(fired)).toEqual(['2026-03-29T01:30:00.000Z']);
});

describe('timezoneProblem', () => {
  it.each(['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'])('accepts %s', (tz) => expect(timezoneProblem(tz)).toBeNull());
  it.each(['', 'Mars/Olympus', 'Europe/Berlinn', '+01:00', 'x'.repeat(101)])('refuses %j', (tz) => expect(timezoneProblem(tz)).not.toBeNull());
});

it('a tick claim id is the nominal time, the same on every replica', () => {
  expect(tickClaimId('s1', T('2026-01-01T00:00:01Z'))).toBe(`schedule:s1:${T('2026-01-01T00:00:01Z')}`);
});
