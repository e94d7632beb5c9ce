import type { EventType, NotifyEvent, RuleEvent, RuleRecord } from './notify.types';

/** Where an event happened: what a rule's scope is checked against. */
export type EventScope = { projectId: string | null; spiderId: string | null };

/** An enabled rule covers the scope: global rules cover every project, spider lists narrow. Node events need a global rule (admins). */
export function ruleCovers(rule: Pick<RuleRecord, 'enabled' | 'projectId' | 'spiderIds'>, scope: EventScope, type: EventType): boolean {
  if (!rule.enabled) return false;
  if (type.startsWith('node.')) return rule.projectId === null;
  if (rule.projectId !== null && rule.projectId !== scope.projectId) return false;
  return rule.spiderIds.length === 0 || (scope.spiderId !== null && rule.spiderIds.includes(scope.spiderId));
}

/** The plain event a task's final status raises. */
export function statusEvent(status: string): EventType | null {
  switch (status) {
    case 'finished':
      return 'task.finished';
    case 'error':
      return 'task.error';
    case 'abnormal':
      return 'task.abnormal';
    case 'cancelled':
      return 'task.cancelled';
    default:
      return null;
  }
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * results_below: fewer items than `min`, or under `belowMedianPercent` % of the median of the
 * previous finished runs (`previous`, newest first, at most `ofLastRuns` used). Null: not below.
 * With no previous run the median rule has nothing to compare with and stays silent.
 */
export function resultsBelow(cond: RuleEvent, count: number, previous: number[]): Record<string, number> | null {
  if (cond.min !== undefined && count < cond.min) return { resultCount: count, min: cond.min };
  if (cond.belowMedianPercent !== undefined) {
    const m = median(previous.slice(0, cond.ofLastRuns ?? 5));
    if (m !== null && count < (m * cond.belowMedianPercent) / 100) {
      return { resultCount: count, median: m, belowMedianPercent: cond.belowMedianPercent, ofLastRuns: cond.ofLastRuns ?? 5 };
    }
  }
  return null;
}

/** Lines counted by log_errors_above: stderr lines, or any line matching the pattern when one is set. */
export function countErrorLines(lines: { stream: string; text: string }[], pattern: string | undefined): number {
  if (!pattern) return lines.filter((l) => l.stream === 'stderr').length;
  const re = new RegExp(pattern);
  return lines.filter((l) => re.test(l.text)).length;
}

/** A condition's identity in event ids: two rules with the same condition share one event. */
export function conditionKey(e: RuleEvent): string {
  return [e.type, e.min, e.belowMedianPercent, e.ofLastRuns, e.count, e.pattern, e.seconds].map((v) => (v === undefined ? '' : String(v))).join('|');
}

/** One line saying what happened, the subject of a message. */
export function eventTitle(ev: NotifyEvent): string {
  const t = ev.task;
  const spider = t?.spiderName ?? ev.schedule?.spiderName ?? t?.spiderId ?? '?';
  switch (ev.type) {
    case 'task.finished':
      return `Task of ${spider} finished`;
    case 'task.error':
      return `Task of ${spider} failed${t?.exitCode !== null && t?.exitCode !== undefined ? ` (exit ${t.exitCode})` : ''}`;
    case 'task.abnormal':
      return `Task of ${spider} ended abnormally`;
    case 'task.cancelled':
      return `Task of ${spider} was cancelled`;
    case 'task.results_below':
      return `Task of ${spider} collected ${ev.condition?.resultCount ?? t?.resultCount ?? 0} items, below the expected`;
    case 'task.log_errors_above':
      return `Task of ${spider} logged ${ev.condition?.errorLines ?? '?'} error lines`;
    case 'task.running_longer':
      return `Task of ${spider} has been running over ${ev.condition?.seconds ?? '?'} s`;
    case 'task.pending_longer':
      return `Task of ${spider} has been pending over ${ev.condition?.seconds ?? '?'} s`;
    case 'node.offline':
      return `Node ${ev.node?.name ?? ev.node?.id} went offline`;
    case 'node.online':
      return `Node ${ev.node?.name ?? ev.node?.id} is online`;
    case 'schedule.missed':
      return `A schedule tick of ${spider} could not create its task`;
  }
}
