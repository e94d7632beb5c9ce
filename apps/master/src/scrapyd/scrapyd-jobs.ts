import type { TaskStatus } from '@crawlnest/task';

export type JobState = 'pending' | 'running' | 'finished';

/** Scrapyd's three lists: queued, running, done (Crawlnest's ended states are all "finished"). */
export function jobState(status: TaskStatus): JobState {
  if (status === 'pending') return 'pending';
  if (status === 'assigned' || status === 'running') return 'running';
  return 'finished';
}

/** Scrapyd's time format: `2024-05-01 12:00:00.123456` (UTC here). */
export function scrapydTime(iso: string | null): string | null {
  if (!iso) return null;
  return iso.replace('T', ' ').replace(/\.(\d{3})Z$/, '.$1000').replace(/Z$/, '');
}

export type JobTask = { status: TaskStatus; createdAt: string; startedAt: string | null; finishedAt: string | null };
export type JobRef = { jobid: string; project: string; spider: string; taskId: string };

/** One job as status.json and listjobs.json show it. */
export function jobView(job: JobRef, task: JobTask, prefix: string): Record<string, unknown> {
  const state = jobState(task.status);
  const base = `${encodeURIComponent(job.project)}/${encodeURIComponent(job.spider)}/${encodeURIComponent(job.jobid)}`;
  const view: Record<string, unknown> = { id: job.jobid, project: job.project, spider: job.spider, crawlnest_task: job.taskId, crawlnest_status: task.status };
  if (state === 'pending') return { ...view, version: null, settings: {}, args: {} };
  return {
    ...view,
    pid: null,
    start_time: scrapydTime(task.startedAt ?? task.createdAt),
    ...(state === 'finished' ? { end_time: scrapydTime(task.finishedAt) } : {}),
    log_url: `${prefix}/logs/${base}.log`,
    items_url: `${prefix}/items/${base}.jl`,
  };
}
