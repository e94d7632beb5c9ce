/** The Scrapyd names that are not spider arguments on schedule.json. */
const RESERVED = new Set(['project', 'spider', '_version', 'jobid', 'priority', 'setting']);

/** The module Crawlnest ships in every Scrapyd-deployed tree (see items-pipeline.source.ts). */
export const ITEMS_PIPELINE = 'crawlnest_scrapyd.CrawlnestItemsPipeline';

/** Names Scrapyd accepts for projects, versions and spiders (they become spider names and paths). */
export const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;

export type ScheduleForm = Record<string, string | string[] | undefined>;

export type ScheduleRequest = {
  project: string;
  spider: string;
  version: string | null;
  jobid: string | null;
  /** Crawlnest's 1..10 (Scrapyd's float, 0 by default, shifted onto 5). */
  priority: number;
  settings: string[];
  args: [string, string][];
};

/** POSIX shell single-quoting: the value reaches the spider byte for byte. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./=:@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function one(form: ScheduleForm, key: string): string | undefined {
  const v = form[key];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function all(form: ScheduleForm, key: string): string[] {
  const v = form[key];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Reads schedule.json's form; throws a message for Scrapyd's error answer. */
export function parseSchedule(form: ScheduleForm): ScheduleRequest {
  const project = one(form, 'project');
  const spider = one(form, 'spider');
  if (!project) throw new ScrapydInputError("'project' parameter is required");
  if (!spider) throw new ScrapydInputError("'spider' parameter is required");
  const jobid = one(form, 'jobid') || null;
  if (jobid !== null && !SAFE_NAME.test(jobid)) throw new ScrapydInputError(`jobid '${jobid}': only letters, digits, '_', '.', '-' (up to 100)`);
  const rawPriority = one(form, 'priority');
  const p = rawPriority === undefined || rawPriority === '' ? 0 : Number(rawPriority);
  if (!Number.isFinite(p)) throw new ScrapydInputError(`priority '${rawPriority}' is not a number`);
  const settings = all(form, 'setting');
  for (const s of settings) if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(s)) throw new ScrapydInputError(`setting '${s}': expected NAME=value`);
  const args: [string, string][] = [];
  for (const [k, v] of Object.entries(form)) {
    if (RESERVED.has(k) || v === undefined) continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new ScrapydInputError(`argument '${k}': not a valid spider argument name`);
    args.push([k, Array.isArray(v) ? v[v.length - 1] : v]);
  }
  return { project, spider, version: one(form, '_version') || null, jobid, priority: Math.min(10, Math.max(1, 5 + Math.round(p))), settings, args };
}

/**
 * The command-line tail of a scheduled crawl: the spider arguments (`-a k=v`, plus `_job` as
 * Scrapyd passes it), the caller's settings (`-s K=V`) and the items pipeline. The pipeline
 * goes into ITEM_PIPELINES_BASE, which Scrapy merges under the project's ITEM_PIPELINES, so the
 * project's own pipelines stay as they are.
 */
export function crawlParams(req: Pick<ScheduleRequest, 'settings' | 'args' | 'jobid'>): string {
  const parts: string[] = [];
  for (const [k, v] of req.args) parts.push('-a', shellQuote(`${k}=${v}`));
  // Without a caller's jobid the job id is the task id, which the worker passes as CRAWLNEST_TASK_ID.
  parts.push('-a', req.jobid ? shellQuote(`_job=${req.jobid}`) : '"_job=$CRAWLNEST_TASK_ID"');
  for (const s of req.settings) parts.push('-s', shellQuote(s));
  parts.push('-s', shellQuote(`ITEM_PIPELINES_BASE=${JSON.stringify({ [ITEMS_PIPELINE]: 1000 })}`));
  return parts.join(' ');
}

/** A request Scrapyd would answer with {"status": "error"}. */
export class ScrapydInputError extends Error {}
