import type { Types } from 'mongoose';
import { Label, labelsToObject } from '@crawlnest/node';
import type { TaskMode } from './task.types';

export type ScheduleRecord = {
  _id: Types.ObjectId;
  spiderId: string;
  cron: string;
  mode: TaskMode;
  nodeIds: string[];
  labels: Label[];
  param: string | null;
  cmd: string | null;
  priority: number;
  enabled: boolean;
  lastRunAt: Date | null;
  nextRunAt: Date | null;
  createdAt: Date;
};

export type ScheduleView = {
  id: string;
  spiderId: string;
  cron: string;
  mode: TaskMode;
  nodeIds: string[];
  labels: Record<string, string>;
  param: string | null;
  cmd: string | null;
  priority: number;
  enabled: boolean;
  lastRunAt: string | null;
  nextRunAt: string | null;
  createdAt: string;
};

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function toScheduleView(s: ScheduleRecord): ScheduleView {
  return {
    id: String(s._id),
    spiderId: s.spiderId,
    cron: s.cron,
    mode: s.mode,
    nodeIds: s.nodeIds ?? [],
    labels: labelsToObject(s.labels ?? []),
    param: s.param ?? null,
    cmd: s.cmd ?? null,
    priority: s.priority,
    enabled: s.enabled,
    lastRunAt: iso(s.lastRunAt),
    nextRunAt: iso(s.nextRunAt),
    createdAt: new Date(s.createdAt).toISOString(),
  };
}
