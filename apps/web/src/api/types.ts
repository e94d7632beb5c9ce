/**
 * The REST contract as the dashboard reads it: every shape is an alias of the types generated
 * from the master's OpenAPI document (generated.ts, built by `npm run openapi`; see
 * docs/development.md), so a field the server renames or drops breaks this build.
 * Import API shapes from here, never from generated.ts.
 */
import type { components } from './generated';

type Schemas = components['schemas'];

export type Task = Schemas['TaskDto'];
export type TaskStatus = Task['status'];
export type TaskMode = Task['mode'];
const STATUS_ORDER = ['pending', 'assigned', 'running', 'finished', 'error', 'cancelled', 'abnormal'] as const satisfies readonly TaskStatus[];
// A status the server adds and STATUS_ORDER lacks fails to compile here.
const allStatusesListed: Record<Exclude<TaskStatus, (typeof STATUS_ORDER)[number]>, never> = {};
void allStatusesListed;
/** Every status, in lifecycle order. */
export const TASK_STATUSES: TaskStatus[] = [...STATUS_ORDER];

export type Runtime = Schemas['RuntimeDto'];
export type Node = Schemas['NodeDto'];
export type NodePatch = Schemas['PatchNodeDto'];
export type NodeEnvironment = Schemas['NodeEnvironmentDto'];

export type Dedup = Schemas['SpiderDto']['dedup'];
export type DedupBackfill = Schemas['DedupBackfillDto'];
export type Spider = Schemas['SpiderDto'];
export type SpiderInput = Schemas['CreateSpiderDto'];
export type SpiderPatch = Schemas['PatchSpiderDto'];
export type FileEntry = Schemas['ManifestEntryDto'];
export type FileList = Schemas['ManifestDto'];
export type SpiderVersion = Schemas['SpiderVersionDto'];
export type VersionFile = Schemas['ManifestEntryDto'];
export type VersionDiff = Schemas['VersionDiffDto'];
/** A change to the files: `unchanged` when the content equalled the current version (no version made). */
export type FilesVersion = Schemas['FilesVersionDto'];
export type TreeUpload = Schemas['TreeUploadDto'];

export type Attempt = Schemas['AttemptDto'];
export type TaskPage = Schemas['TaskPageDto'];
/** The task list's filters as the dashboard keeps them (turned into GET /api/tasks query parameters). */
export type TaskQuery = { status?: TaskStatus; spiderId?: string; nodeId?: string; page: number; size: number };
export type CreateTask = Schemas['CreateTaskDto'];
export type TasksCreated = Schemas['TasksCreatedDto'];
export type LogLine = Schemas['LogLineDto'];
export type LogPage = Schemas['LogPageDto'];

export type Stats = Schemas['StatsDto'];
export type ActivityBucket = Schemas['ActivityBucketDto'];
export type Activity = Schemas['ActivityDto'];
export type Health = Schemas['HealthDto'];

export type Schedule = Schemas['ScheduleDto'];
export type ScheduleInput = Schemas['CreateScheduleDto'];
export type SchedulePatch = Schemas['PatchScheduleDto'];

export type ResultPage = Schemas['ResultPageDto'];
export type ResultItem = ResultPage['items'][number];
export type UploadLimits = Schemas['UploadLimitsDto'];
