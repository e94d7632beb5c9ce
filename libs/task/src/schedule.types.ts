import type { Types } from 'mongoose';
import { Label, labelsToObject } from '@crawlnest/node';
import type { TaskMode } from './task.types';
import { CatchUp, DEFAULT_TIMEZONE, nextFireTimes } from './schedule-ticks';

/**
 * A schedule as the user wrote it (collection `schedules`). Only user edits (create, PATCH,
 * delete) write this document; the tick bookkeeping lives in `schedule_states`
 * (docs/consistency.md), so a tick can never write back a stale copy of a user's edit.
 */
export type ScheduleRecord = {
  _id: Types.ObjectId;
  spiderId: string;
  cron: string;
  /** IANA zone the cron expression is read in; absent on schedules made before zones existed. */
  timezone?: string;
  catchUp?: CatchUp;
  mode: TaskMode;
  nodeIds: string[];
  labels: Label[];
  param: string | null;
  cmd: string | null;
  priority: number;
  enabled: boolean;
  /**
   * When the current cron/zone/enabled combination took effect: ticks before it belong to an
   * older definition and are never fired (nor caught up).
   */
  activeSince?: Date;
  createdAt: Date;
};

/** Tick bookkeeping of one schedule (collection `schedule_states`, `_id` = schedule id): written only by ticks. */
export type ScheduleState = {
  _id: string;
  /** Nominal time of the newest tick that created tasks. */
  lastTickAt: Date;
};

export type ScheduleView = {
  id: string;
  spiderId: string;
  cron: string;
  timezone: string;
  catchUp: CatchUp;
  mode: TaskMode;
  nodeIds: string[];
  labels: Record<string, string>;
  param: string | null;
  cmd: string | null;
  priority: number;
  enabled: boolean;
  lastRunAt: string | null;
  nextRunAt: string | null;
  nextRunTimes: string[];
  createdAt: string;
};

/** How many upcoming fire times the view lists. */
export const NEXT_RUN_TIMES_SHOWN = 5;

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export const scheduleTimezone = (s: Pick<ScheduleRecord, 'timezone'>): string => s.timezone ?? DEFAULT_TIMEZONE;
export const scheduleCatchUp = (s: Pick<ScheduleRecord, 'catchUp'>): CatchUp => s.catchUp ?? 'none';

function upcoming(s: ScheduleRecord, now: number): string[] {
  try {
    return nextFireTimes(s.cron, scheduleTimezone(s), now, NEXT_RUN_TIMES_SHOWN).map((t) => new Date(t).toISOString());
  } catch {
    // Only an expression stored before today's validation can fail here; the runner logs it.
    return [];
  }
}

/** The user's document merged with its tick bookkeeping; next fire times are computed, never stored. */
export function toScheduleView(s: ScheduleRecord, state: ScheduleState | null, now = Date.now()): ScheduleView {
  const next = s.enabled ? upcoming(s, now) : [];
  return {
    id: String(s._id),
    spiderId: s.spiderId,
    cron: s.cron,
    timezone: scheduleTimezone(s),
    catchUp: scheduleCatchUp(s),
    mode: s.mode,
    nodeIds: s.nodeIds ?? [],
    labels: labelsToObject(s.labels ?? []),
    param: s.param ?? null,
    cmd: s.cmd ?? null,
    priority: s.priority,
    enabled: s.enabled,
    lastRunAt: iso(state?.lastTickAt),
    nextRunAt: next[0] ?? null,
    nextRunTimes: next,
    createdAt: new Date(s.createdAt).toISOString(),
  };
}
