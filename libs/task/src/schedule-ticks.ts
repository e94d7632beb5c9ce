import { CronExpressionParser } from 'cron-parser';

/** What a schedule does about ticks that fell while no master ran it. */
export const CATCH_UP_POLICIES = ['none', 'latest'] as const;
export type CatchUp = (typeof CATCH_UP_POLICIES)[number];

export const DEFAULT_TIMEZONE = 'UTC';

/** Null when `tz` is an IANA time zone name this runtime knows, else why not. */
export function timezoneProblem(tz: string): string | null {
  if (tz.length === 0 || tz.length > 100) return 'expected an IANA time zone name such as Europe/Berlin';
  try {
    // Throws RangeError for names the ICU data does not know.
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    return `unknown time zone ${JSON.stringify(tz)}: expected an IANA name such as Europe/Berlin`;
  }
  // Intl also takes offsets like "+01:00"; a schedule's zone must be a name so DST applies.
  if (!/^[A-Za-z]/.test(tz)) return `expected an IANA time zone name, not an offset (${JSON.stringify(tz)})`;
  return null;
}

function parse(cron: string, tz: string, from: number) {
  return CronExpressionParser.parse(cron, { tz, currentDate: new Date(from) });
}

/** The next `n` nominal fire times strictly after `after` (epoch ms), in the schedule's zone. */
export function nextFireTimes(cron: string, tz: string, after: number, n: number): number[] {
  const it = parse(cron, tz, after);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(it.next().getTime());
  return out;
}

/** The latest nominal fire time strictly before `before`, or null when there is none after `notBefore`. */
export function latestFireTimeBefore(cron: string, tz: string, before: number, notBefore: number): number | null {
  const t = parse(cron, tz, before).prev().getTime();
  return t > notBefore ? t : null;
}

export type TickPlanInput = {
  cron: string;
  timezone: string;
  catchUp: CatchUp;
  /** Every nominal tick at or before this was already considered (fired, or skipped by policy). */
  cursor: number;
  now: number;
  /** When this replica began running schedules: ticks before it fell while (maybe) no master ran. */
  runningSince: number;
  /** A tick later than this is treated as missed (a replica stalled for minutes must not fire them all). */
  lateLimitMs: number;
};

export type TickPlan = {
  /** Nominal fire times to claim and run, oldest first. Each is the tick's identity. */
  fire: number[];
  /**
   * The new cursor: every tick at or before it has been considered. It is the last nominal tick
   * seen, not the wall clock, so the next pass walks on from a tick (see DST_WALK_MS).
   */
  cursor: number;
  /** The first nominal tick after `now`: nothing is due before it. */
  nextDue: number;
};

/** Bounds one pass's work when the clock jumped or a stall was long: later ticks wait for the next pass. */
const MAX_STEPS_PER_PASS = 20_000;

/**
 * Ticks are enumerated forward from at most this far before the on-time window: where a DST
 * change skips a local time, the cron library maps the tick to the hour after the gap only
 * when it walks into the gap from before, so every replica must walk the same way. DST shifts
 * are at most one hour.
 */
const DST_WALK_MS = 3 * 3600_000;

/**
 * Which ticks of one schedule are due now. Pure: the identity of a tick is its nominal time
 * from the cron expression in the schedule's zone, so every replica computes the same ticks
 * however late its timer ran (a stalled replica finds the ticks it slept through and claims
 * them; the claim, not this function, makes each run once).
 * - on time: after the cursor, at or after `runningSince`, and at most `lateLimitMs` old: fired;
 * - missed: after the cursor but before that window (no master ran, or far too late):
 *   `none` skips them, `latest` fires only the newest of them.
 */
export function planTicks(p: TickPlanInput): TickPlan {
  if (p.now <= p.cursor) return { fire: [], cursor: p.cursor, nextDue: nextFireTimes(p.cron, p.timezone, p.cursor, 1)[0] };
  const onTimeFrom = Math.max(p.cursor + 1, p.runningSince, p.now - p.lateLimitMs);
  const walkFrom = Math.max(p.cursor, onTimeFrom - DST_WALK_MS);
  // Missed ticks before the walk's start: only the newest can matter.
  let latestMissed = p.catchUp === 'latest' && walkFrom > p.cursor ? latestFireTimeBefore(p.cron, p.timezone, walkFrom + 1, p.cursor) : null;
  const fire: number[] = [];
  const it = parse(p.cron, p.timezone, walkFrom);
  let cursor = walkFrom;
  let nextDue = p.now + 1; // when the walk was cut short: due again at once
  for (let i = 0; i < MAX_STEPS_PER_PASS; i++) {
    const t = it.next().getTime();
    if (t > p.now) {
      nextDue = t;
      break;
    }
    cursor = t;
    if (t < onTimeFrom) latestMissed = t;
    else fire.push(t);
  }
  if (p.catchUp === 'latest' && latestMissed !== null) fire.unshift(latestMissed);
  return { fire, cursor, nextDue };
}

/** The claim id of one tick, the same on every replica: its nominal time in epoch ms. */
export function tickClaimId(scheduleId: string, nominal: number): string {
  return `schedule:${scheduleId}:${nominal}`;
}
