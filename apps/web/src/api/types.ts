/**
 * The REST contract as the dashboard reads it. Every API shape comes from the master's OpenAPI
 * document (generated.ts, built by `npm run openapi`, names from scripts/openapi-names.json; see
 * docs/development.md), so a field the server renames or drops breaks this build.
 * Import API shapes from here, never from generated.ts.
 */
import type { TaskStatus } from './generated';

export type * from './generated';

const STATUS_ORDER = ['pending', 'assigned', 'running', 'finished', 'error', 'cancelled', 'abnormal'] as const satisfies readonly TaskStatus[];
// A status the server adds and STATUS_ORDER lacks fails to compile here.
const allStatusesListed: Record<Exclude<TaskStatus, (typeof STATUS_ORDER)[number]>, never> = {};
void allStatusesListed;
/** Every status, in lifecycle order. */
export const TASK_STATUSES: TaskStatus[] = [...STATUS_ORDER];

/** The task list's filters as the dashboard keeps them (sent as GET /api/tasks query parameters). */
export type TaskQuery = { status?: TaskStatus; spiderId?: string; nodeId?: string; page: number; size: number };
