/** Which result columns a person sees: pure, so it is unit-tested beside this file. */

/** Fields the master adds to every stored item. */
export const SYSTEM_FIELDS = ['_id', '_tid', '_sid', '_ts'] as const;

const isSystem = (f: string) => (SYSTEM_FIELDS as readonly string[]).includes(f);

/** The saved choice: columns hidden and system columns shown (so new item fields appear by default). */
export type ColumnChoice = { hidden: string[]; shown: string[] };

export const DEFAULT_CHOICE: ColumnChoice = { hidden: [], shown: [] };

export function visibleColumns(fields: string[], choice: ColumnChoice): string[] {
  return fields.filter((f) => (isSystem(f) ? choice.shown.includes(f) : !choice.hidden.includes(f)));
}

export function toggleColumn(choice: ColumnChoice, field: string, visible: boolean): ColumnChoice {
  const without = (l: string[]) => l.filter((f) => f !== field);
  if (isSystem(field)) return { ...choice, shown: visible ? [...without(choice.shown), field] : without(choice.shown) };
  return { ...choice, hidden: visible ? without(choice.hidden) : [...without(choice.hidden), field] };
}

const key = (scope: string) => `crawlnest.results.columns.${scope}`;

export function loadChoice(scope: string): ColumnChoice {
  try {
    const raw = localStorage.getItem(key(scope));
    if (!raw) return DEFAULT_CHOICE;
    const v = JSON.parse(raw) as Partial<ColumnChoice>;
    return { hidden: Array.isArray(v.hidden) ? v.hidden.map(String) : [], shown: Array.isArray(v.shown) ? v.shown.map(String) : [] };
  } catch (e) {
    console.warn('ignoring an unreadable column choice', scope, e);
    return DEFAULT_CHOICE;
  }
}

export function saveChoice(scope: string, choice: ColumnChoice): void {
  try {
    localStorage.setItem(key(scope), JSON.stringify(choice));
  } catch (e) {
    console.warn('could not remember the column choice', scope, e);
  }
}

/** A task filter as typed: a full id, or the 8-character short id (its end) of a recent task. */
export function resolveTaskRef(input: string, recentIds: string[]): { taskId?: string; error?: string } {
  const ref = input.trim().toLowerCase();
  if (!ref) return {};
  if (/^[0-9a-f]{24}$/.test(ref)) return { taskId: ref };
  if (!/^[0-9a-f]{4,23}$/.test(ref)) return { error: 'expected a task id or its last 8 characters' };
  const hits = recentIds.filter((id) => id.endsWith(ref) || id.startsWith(ref));
  if (hits.length === 1) return { taskId: hits[0] };
  if (hits.length > 1) return { error: `${hits.length} recent tasks match "${ref}": type more characters` };
  return { error: `no recent task of this spider matches "${ref}"` };
}

/** `quotes-db799cf4-2026-12-06.csv`: spider, task short id (or all), date. */
export function exportFileName(spider: string, taskId: string | undefined, format: string, now = new Date()): string {
  const safe = spider.replace(/[^\w.-]+/g, '_') || 'results';
  const day = now.toISOString().slice(0, 10);
  return `${safe}-${taskId ? taskId.slice(-8) : 'all'}-${day}.${format}`;
}

/** A value in full, for the row drawer and the hover title: nested JSON pretty-printed. */
export function fullValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v, null, 2);
  return String(v);
}
