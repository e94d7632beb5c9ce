/** One UTC day of a spider's runs (GET /api/spiders/:id/stats). */
export type SpiderDay = { day: string; byStatus: Record<string, number>; runs: number; avgDurationMs: number | null; timedRuns: number };
export type SpiderStats = { days: SpiderDay[] };
/** The field /api/stats added for the overview: tasks ended today (UTC), from daily counts. */
export type StatsToday = { tasksEndedToday?: number };
