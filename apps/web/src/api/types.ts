/** The REST contract (/work/shared/API.md) as the dashboard reads it. Fields other helpers add
 * concurrently are optional: the dashboard shows them when the master has them. */
export type TaskStatus = 'pending' | 'assigned' | 'running' | 'finished' | 'error' | 'cancelled' | 'abnormal';
export const TASK_STATUSES: TaskStatus[] = ['pending', 'assigned', 'running', 'finished', 'error', 'cancelled', 'abnormal'];
export type TaskMode = 'random' | 'all-nodes' | 'selected-nodes';

export type Runtime = { name: string; version: string };
export type Node = {
  id: string;
  key: string;
  name: string;
  hostname: string;
  ip: string;
  labels: Record<string, string>;
  maxRunners: number;
  runningTasks: number;
  status: 'online' | 'offline';
  active: boolean;
  taskReady: boolean;
  enabled: boolean;
  version: string;
  registeredAt: string;
  activeAt: string | null;
  lastHeartbeatAt: string | null;
  connectedReplica: string | null;
  /** Live figures; null while the node is offline. */
  resources?: { cpuPercent: number; memoryBytes: number; diskFreeBytes: number } | null;
  /** The last figures it reported, online or not. */
  lastResources?: { cpuPercent: number; memoryBytes: number; diskFreeBytes: number } | null;
  runtimes?: Runtime[];
};
export type NodeEnvironment = { key: string; kind: 'python' | 'node'; sizeBytes: number; state: string; lastUsedAt: string | null };

export type Dedup = { keys: string[]; mode: 'ignore' | 'overwrite' } | null;
export type Spider = {
  id: string;
  name: string;
  cmd: string;
  /** The project it belongs to (older masters: absent). */
  projectId?: string;
  param: string;
  description: string;
  version: number;
  fileCount: number;
  totalBytes: number;
  createdAt: string;
  updatedAt: string;
  resultsCollection?: string;
  dedup?: Dedup;
  resultCount?: number;
  /** The last dedup backfill (claims stored items' keys when dedup is turned on or its keys change). */
  dedupBackfill?: DedupBackfill | null;
};
export type DedupBackfill = { status: 'running' | 'done' | 'failed' | 'superseded'; keys: string[]; scanned: number; total: number; duplicates: number; error: string | null };
export type SpiderInput = { name: string; cmd: string; param?: string; description?: string; resultsCollection?: string; dedup?: Dedup; projectId?: string };
export type FileEntry = { path: string; size: number; mode: number | string; sha256: string };
export type FileList = { version: number; files: FileEntry[] };
export type SpiderVersion = { version: number; fileCount?: number; totalBytes?: number; createdAt?: string; restoredFrom?: number | null };
export type VersionFile = { path: string; size: number; mode: number; sha256: string };
export type VersionDiff = { from: number; to: number; added: VersionFile[]; removed: VersionFile[]; changed: { path: string; from: VersionFile; to: VersionFile; diff?: string }[] };
/** A change to the files: `unchanged` when the content equalled the current version (no version made). */
export type FilesVersion = { version: number; unchanged?: boolean };
export type TreeUpload = FilesVersion & { fileCount: number; totalBytes: number; unwrapped?: string | null };

/** `handedBack`: its worker shut down and gave it back to run elsewhere (it used no retry). */
export type Attempt = { attempt: number; nodeId: string | null; nodeName?: string | null; status: TaskStatus; error: string | null; at: string; handedBack?: boolean };
export type Task = {
  id: string;
  spiderId: string;
  spiderVersion?: number;
  cmd: string;
  param: string;
  mode: TaskMode;
  nodeIds: string[];
  labels: Record<string, string>;
  priority: number;
  status: TaskStatus;
  nodeId: string | null;
  attempt: number;
  maxRetries: number;
  timeoutSec: number;
  exitCode: number | null;
  error: string | null;
  createdAt: string;
  assignedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  scheduleId: string | null;
  parentId: string | null;
  attempts?: Attempt[];
  pendingReason?: string | null;
  resultCount?: number;
  resultErrors?: number;
  resultDuplicates?: number;
  nodeName?: string | null;
  /** From assignment (sync and environment build included), as of the answer. */
  durationMs?: number | null;
  prepareMs?: number | null;
  runMs?: number | null;
  sync?: { filesTotal: number; filesTransferred: number; bytesTransferred: number; filesDeleted: number; durationMs: number } | null;
  environment?: { keys: string[]; cached: boolean; buildMs: number } | null;
};
export type TaskPage = { items: Task[]; total: number; nextAfter?: string | null };
export type TaskQuery = { status?: TaskStatus; spiderId?: string; nodeId?: string; page: number; size: number };
export type CreateTask = {
  spiderId: string;
  mode?: TaskMode;
  nodeIds?: string[];
  labels?: Record<string, string>;
  cmd?: string;
  param?: string;
  env?: Record<string, string>;
  priority?: number;
  timeoutSec?: number;
  maxRetries?: number;
};
export type LogLine = { seq: number; ts: string; stream: 'stdout' | 'stderr'; text: string };
export type LogPage = { lines: LogLine[]; nextAfter: number; done: boolean };

export type Stats = {
  nodes: { online: number; offline: number };
  tasks: Record<TaskStatus, number>;
  stuckPending: number;
  oldestPendingAgeMs: number | null;
};
export type ActivityBucket = { minute: string; finished: number; error: number; cancelled: number; abnormal: number };

export type Schedule = {
  id: string;
  spiderId: string;
  cron: string;
  mode: TaskMode;
  nodeIds: string[];
  labels: Record<string, string>;
  param: string | null;
  cmd: string | null;
  priority: number;
  enabled: boolean;
  lastRunAt: string | null;
  nextRunAt: string | null;
  createdAt: string;
  timezone?: string;
  nextRunTimes?: string[];
};
export type ScheduleInput = {
  spiderId: string;
  cron: string;
  param?: string;
  enabled?: boolean;
  mode?: TaskMode;
  timezone?: string;
  nodeIds?: string[];
  labels?: Record<string, string>;
  priority?: number;
};

export type ResultItem = Record<string, unknown>;
/**
 * `total` is null with a field filter (counting it would scan the collection). With a field
 * filter that is not the dedup key, the master searches for a bounded time: `searched` of `of`
 * items were looked at, `cursor` goes on (null: all searched), `partial` when it stopped early.
 */
export type ResultPage = { items: ResultItem[]; total: number | null; cursor?: string | null; searched?: number; of?: number; partial?: boolean };
