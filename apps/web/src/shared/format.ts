/** Display formatting shared by every page. Pure, so it is unit-tested beside this file. */

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** "1h 02m", "3m 05s", "850 ms": a duration a person reads at a glance. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** How long ago `iso` was, relative to `now`. */
export function formatAgo(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const d = now - t;
  if (d < 0) return `in ${formatDuration(-d)}`;
  if (d < 1000) return 'just now';
  return `${formatDuration(d)} ago`;
}

/** What a task's duration is computed from: the master's figures, or (older masters) its times. */
export type TimedTask = {
  status?: string;
  assignedAt?: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs?: number | null;
  prepareMs?: number | null;
};

const COUNTING = new Set(['assigned', 'running']);

/**
 * A task's duration now: from its assignment (sync and environment build included). The
 * master's `durationMs` is as of its answer (`fetchedAt`, by this browser's clock), so while
 * the task is active the time since the answer is added: it counts up between polls, and a
 * browser clock set differently from the master's does not matter.
 */
export function liveDurationMs(t: TimedTask, now: number = Date.now(), fetchedAt: number = now): number | null {
  if (t.durationMs !== undefined && t.durationMs !== null) {
    return t.status && COUNTING.has(t.status) ? t.durationMs + Math.max(0, now - fetchedAt) : t.durationMs;
  }
  const from = t.assignedAt ?? t.startedAt;
  if (!from) return null;
  const end = t.finishedAt ? Date.parse(t.finishedAt) : now;
  return Math.max(0, end - Date.parse(from));
}

/** The preparation part (sync, environment build): counts up while the task is assigned. */
export function livePrepareMs(t: TimedTask, now: number = Date.now(), fetchedAt: number = now): number | null {
  if (t.prepareMs === undefined || t.prepareMs === null) return null;
  return t.status === 'assigned' ? t.prepareMs + Math.max(0, now - fetchedAt) : t.prepareMs;
}

/** A task's duration as text: from its assignment to its end, or to now while it is active. */
export function taskDuration(t: TimedTask, now: number = Date.now(), fetchedAt: number = now): string {
  return formatDuration(liveDurationMs(t, now, fetchedAt));
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString();
}

/** `{a: '1', b: '2'}` ⇄ `a=1, b=2`: how labels and env are typed in one text field. */
export function formatPairs(map: Record<string, string> | null | undefined): string {
  return Object.entries(map ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

export function parsePairs(text: string): { value: Record<string, string>; error: string | null } {
  const value: Record<string, string> = {};
  for (const raw of text.split(/[,\n]/)) {
    const part = raw.trim();
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return { value, error: `"${part}" is not key=value` };
    value[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return { value, error: null };
}

/** A cell of a results table: objects as compact JSON, nothing as an empty cell. */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
