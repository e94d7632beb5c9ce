import type { Types } from 'mongoose';
import { Label, labelsToObject } from '@crawlnest/node';
import { taskTiming } from './task-timing';

export const TASK_STATUSES = ['pending', 'assigned', 'running', 'finished', 'error', 'cancelled', 'abnormal'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['finished', 'error', 'cancelled', 'abnormal'];
export const ACTIVE_STATUSES: readonly TaskStatus[] = ['assigned', 'running'];

export const TASK_MODES = ['random', 'all-nodes', 'selected-nodes'] as const;
export type TaskMode = (typeof TASK_MODES)[number];

/** The environment stage of an attempt: which environments, whether all were cached, how long. */
export type EnvStatsRecord = { keys: string[]; cached: boolean; buildMs: number };

export type SyncStatsRecord = {
  filesTotal: number;
  filesTransferred: number;
  bytesTransferred: number;
  filesDeleted: number;
  durationMs: number;
};

/**
 * What happened to one attempt that did not end the task (kept for the API and post-mortems).
 * `handedBack`: its worker shut down and gave it back (it used no retry); absent otherwise.
 */
export type AttemptRecord = { attempt: number; nodeId: string | null; status: TaskStatus; error: string | null; at: Date; handedBack?: boolean };

export type TaskRecord = {
  _id: Types.ObjectId;
  spiderId: string;
  spiderVersion: number;
  cmd: string;
  param: string;
  mode: TaskMode;
  nodeIds: string[];
  labels: Label[];
  env: Label[];
  priority: number;
  status: TaskStatus;
  nodeId: string | null;
  attempt: number;
  maxRetries: number;
  timeoutSec: number;
  /** Absent on tasks stored before it existed. */
  killGraceSec?: number;
  exitCode: number | null;
  error: string | null;
  createdAt: Date;
  assignedAt: Date | null;
  ackedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** When the current attempt went back to pending; absent on tasks never re-queued. */
  requeuedAt?: Date | null;
  scheduleId: string | null;
  /** The nominal tick of the schedule that created it (absent on manual tasks and older ones). */
  scheduledFor?: Date | null;
  parentId: string | null;
  sync: SyncStatsRecord | null;
  environment?: EnvStatsRecord | null;
  /**
   * The ending attempt's items as the master answered its worker (its Finished report): the
   * counts of its batch ledgers, known without reading them. Absent when the worker captured
   * no results, predates the field, or the attempt ended without a report (orphan, timeout).
   */
  attemptResults?: AttemptResults | null;
  attempts?: AttemptRecord[];
};

export type AttemptResults = { stored: number; duplicates: number; rejected: number };

export type TaskView = {
  id: string;
  spiderId: string;
  spiderVersion: number;
  cmd: string;
  param: string;
  mode: TaskMode;
  nodeIds: string[];
  labels: Record<string, string>;
  env: Record<string, string>;
  priority: number;
  status: TaskStatus;
  nodeId: string | null;
  attempt: number;
  maxRetries: number;
  timeoutSec: number;
  /** SIGTERM → SIGKILL grace in seconds (the task's, else its spider's); 0: the worker's default. */
  killGraceSec: number;
  exitCode: number | null;
  error: string | null;
  createdAt: string;
  assignedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  scheduleId: string | null;
  scheduledFor: string | null;
  parentId: string | null;
  sync: SyncStatsRecord | null;
  environment: EnvStatsRecord | null;
  /** Earlier attempts that ended without ending the task (abnormal, not acknowledged). */
  attempts: { attempt: number; nodeId: string | null; nodeName: string | null; status: TaskStatus; error: string | null; at: string; handedBack?: boolean }[];
  /** Why a pending task has not started yet; null when it is not pending. */
  pendingReason: string | null;
  /** The name of the node in `nodeId`; null when none or the node is gone. */
  nodeName: string | null;
  /** From assignment (sync and environment build included) to the end, or to now while active. */
  durationMs: number | null;
  /** The part of durationMs before the command started (sync, environment build). */
  prepareMs: number | null;
  /** The part of durationMs since the command started. */
  runMs: number | null;
};

/** Node id → name, for views that name nodes. */
export type NodeNames = ReadonlyMap<string, string>;

/** A node as messages name it: its name where known, else its id. */
export function nodeLabel(nodeId: string | null, names: NodeNames): string {
  if (nodeId === null) return '(no node)';
  return names.get(nodeId) ?? nodeId;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function toTaskView(t: TaskRecord, pendingReason: string | null = null, nodeNames: NodeNames = new Map(), now: number = Date.now()): TaskView {
  const nodeName = (id: string | null | undefined) => (id ? (nodeNames.get(id) ?? null) : null);
  return {
    id: String(t._id),
    spiderId: t.spiderId,
    spiderVersion: t.spiderVersion ?? 0,
    cmd: t.cmd,
    param: t.param,
    mode: t.mode,
    nodeIds: t.nodeIds ?? [],
    labels: labelsToObject(t.labels ?? []),
    env: labelsToObject(t.env ?? []),
    priority: t.priority,
    status: t.status,
    nodeId: t.nodeId ?? null,
    attempt: t.attempt,
    maxRetries: t.maxRetries,
    timeoutSec: t.timeoutSec,
    killGraceSec: t.killGraceSec ?? 0,
    exitCode: t.exitCode ?? null,
    error: t.error ?? null,
    createdAt: new Date(t.createdAt).toISOString(),
    assignedAt: iso(t.assignedAt),
    startedAt: iso(t.startedAt),
    finishedAt: iso(t.finishedAt),
    scheduleId: t.scheduleId ?? null,
    scheduledFor: iso(t.scheduledFor),
    parentId: t.parentId ?? null,
    sync: t.sync ?? null,
    environment: t.environment ? { keys: [...t.environment.keys], cached: t.environment.cached, buildMs: t.environment.buildMs } : null,
    attempts: (t.attempts ?? []).map((a) => ({ ...a, nodeName: nodeName(a.nodeId), at: new Date(a.at).toISOString() })),
    pendingReason: t.status === 'pending' ? pendingReason : null,
    nodeName: nodeName(t.nodeId),
    ...taskTiming(t, now),
  };
}

/** The shell command a task runs: its command, then its parameters. */
export function commandLine(cmd: string, param: string): string {
  return param.trim() ? `${cmd} ${param}` : cmd;
}

export type LogLineView = { seq: number; ts: string; stream: 'stdout' | 'stderr'; text: string };
