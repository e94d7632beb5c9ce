/**
 * The REST objects the CLI reads: aliases of the types generated from the master's OpenAPI
 * document (generated.ts, built by `npm run openapi`; see docs/development.md), so a field the
 * server renames or drops breaks this build. Import API shapes from here, never from generated.ts.
 */
import type { components } from './generated';

type Schemas = components['schemas'];

export type Spider = Schemas['SpiderDto'];
export type SpiderInput = Schemas['CreateSpiderDto'];
export type SpiderPatch = Schemas['PatchSpiderDto'];

export type Task = Schemas['TaskDto'];
export type TaskStatus = Task['status'];
export type TaskMode = Task['mode'];
export type TaskPage = Schemas['TaskPageDto'];
export type TasksCreated = Schemas['TasksCreatedDto'];
export type CreateTaskBody = Schemas['CreateTaskDto'];
export const TERMINAL_STATUSES = ['finished', 'error', 'cancelled', 'abnormal'] as const satisfies readonly TaskStatus[];
/** The values the CLI offers for --status and --mode (the server's unions; a value it drops fails to compile here). */
export const TASK_STATUSES = ['pending', 'assigned', 'running', 'finished', 'error', 'cancelled', 'abnormal'] as const satisfies readonly TaskStatus[];
export const TASK_MODES = ['random', 'all-nodes', 'selected-nodes'] as const satisfies readonly TaskMode[];

export type Node = Schemas['NodeDto'];
export type NodePatch = Schemas['PatchNodeDto'];

export type Schedule = Schemas['ScheduleDto'];
export type CreateScheduleBody = Schemas['CreateScheduleDto'];

export type Stats = Schemas['StatsDto'];
export type LogLine = Schemas['LogLineDto'];
export type LogPage = Schemas['LogPageDto'];
export type UploadResult = Schemas['TreeUploadDto'];
export type FileEntry = Schemas['ManifestEntryDto'];
export type SpiderVersion = Schemas['SpiderVersionDto'];
export type VersionDiff = Schemas['VersionDiffDto'];
export type VersionRef = Schemas['FilesVersionDto'];
export type UploadLimits = Schemas['UploadLimitsDto'];

export type ProjectRole = Schemas['ProjectMemberDto']['role'];
export type Me = Schemas['MeDto'];
export type LoginResult = Schemas['LoginResultDto'];
export type User = Schemas['UserDto'];
export type UserInput = Schemas['CreateUserDto'];
export type UserPatch = Schemas['PatchUserDto'];
export type Project = Schemas['ProjectDto'];
export type ProjectInput = Schemas['CreateProjectDto'];
export type PersonalToken = Schemas['TokenDto'];
export type TokenInput = Schemas['CreateTokenDto'];
export type CreatedToken = Schemas['CreatedTokenDto'];
