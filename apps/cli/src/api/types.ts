/**
 * The REST objects the CLI reads. Every API shape comes from the master's OpenAPI document
 * (generated.ts, built by `npm run openapi`, names from scripts/openapi-names.json; see
 * docs/development.md), so a field the server renames or drops breaks this build.
 * Import API shapes from here, never from generated.ts.
 */
import type { TaskMode, TaskStatus } from './generated';

export type * from './generated';

export const TERMINAL_STATUSES = ['finished', 'error', 'cancelled', 'abnormal'] as const satisfies readonly TaskStatus[];
/** The values the CLI offers for --status and --mode (the server's unions: a value it drops fails to compile here). */
export const TASK_STATUSES = ['pending', 'assigned', 'running', 'finished', 'error', 'cancelled', 'abnormal'] as const satisfies readonly TaskStatus[];
export const TASK_MODES = ['random', 'all-nodes', 'selected-nodes'] as const satisfies readonly TaskMode[];
