import { Injectable } from '@nestjs/common';
import type { TaskEventsSink, TaskRecord } from '@crawlnest/task';
import { OutboxFact, OutboxRepository } from './outbox.repository';
import { NotifyConfigCache } from './notify-config.cache';
import { OutboxSignal } from './outbox-signal';

/** What the outbox keeps of an ended task: enough to build its event without reading it again. */
export function taskSnapshot(
  t: Pick<TaskRecord, 'spiderId' | 'attempt' | 'status' | 'nodeId' | 'exitCode' | 'error' | 'createdAt' | 'startedAt' | 'finishedAt' | 'scheduleId' | 'attemptResults'> & { _id: unknown },
) {
  return {
    _id: String(t._id),
    spiderId: t.spiderId,
    attempt: t.attempt,
    status: t.status,
    nodeId: t.nodeId ?? null,
    exitCode: t.exitCode ?? null,
    error: t.error ?? null,
    createdAt: t.createdAt,
    startedAt: t.startedAt ?? null,
    finishedAt: t.finishedAt ?? null,
    scheduleId: t.scheduleId ?? null,
    attemptResults: t.attemptResults ?? null,
  };
}

/**
 * libs/task's hook, called in the close of an attempt: one insert into the outbox keyed on
 * task and attempt (a replayed close writes nothing more). Skipped while no enabled rule
 * listens to task events, so a cluster without notifications pays nothing on its close path.
 * Rules are matched and deliveries made later, off the close path; the notifier of this
 * replica is handed the fact right after the insert (its poll of the outbox is only the fallback).
 */
@Injectable()
export class NotifyTaskEventsSink implements TaskEventsSink {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly config: NotifyConfigCache,
    private readonly signal: OutboxSignal,
  ) {}

  async taskEnded(task: TaskRecord): Promise<void> {
    const rules = this.config.peekRules();
    if (rules && !rules.some((r) => r.enabled && r.events.some((e) => e.type.startsWith('task.')))) return;
    const fact: OutboxFact = { _id: `task:${String(task._id)}:${task.attempt}`, kind: 'task.ended', at: new Date(), task: taskSnapshot(task) };
    this.signal.raise((await this.outbox.record(fact)) ? fact : null);
  }

  async scheduleMissed(fact: { scheduleId: string; tick: Date; error: string }): Promise<void> {
    const f: OutboxFact = { _id: `sched:${fact.scheduleId}:${fact.tick.getTime()}`, kind: 'schedule.missed', at: new Date(), ...fact };
    this.signal.raise((await this.outbox.record(f)) ? f : null);
  }
}
