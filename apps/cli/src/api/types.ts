/** The REST objects the CLI reads (docs/api.md); fields it does not use are kept as they come. */
export type Spider = {
  id: string;
  name: string;
  cmd: string;
  param: string;
  description: string;
  version: number;
  fileCount: number;
  totalBytes: number;
  createdAt: string;
  updatedAt: string;
};

export const TERMINAL_STATUSES = ['finished', 'error', 'cancelled', 'abnormal'] as const;

export type Task = {
  id: string;
  spiderId: string;
  cmd: string;
  param: string;
  mode: string;
  status: string;
  nodeId: string | null;
  attempt: number;
  maxRetries: number;
  priority: number;
  exitCode: number | null;
  error: string | null;
  pendingReason?: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Masters before these fields lack them. */
  nodeName?: string | null;
  durationMs?: number | null;
  prepareMs?: number | null;
  runMs?: number | null;
};

export type Node = {
  id: string;
  key: string;
  name: string;
  hostname: string;
  ip: string;
  labels: Record<string, string>;
  maxRunners: number;
  runningTasks: number;
  status: string;
  enabled: boolean;
  version: string;
};

export type Schedule = {
  id: string;
  spiderId: string;
  cron: string;
  mode: string;
  param: string;
  enabled: boolean;
  lastRunAt: string | null;
  nextRunAt: string | null;
};

export type LogLine = { seq: number; ts: string; stream: 'stdout' | 'stderr'; text: string };
export type LogPage = { lines: LogLine[]; nextAfter: number; done: boolean };
export type UploadResult = { version: number; fileCount: number; totalBytes: number; unwrapped?: string | null; unchanged?: boolean };
export type FileEntry = { path: string; size: number; sha256: string; mode: number };
export type SpiderVersion = { version: number; fileCount: number; totalBytes: number; createdAt: string; restoredFrom?: number | null };
export type VersionDiff = { from: number; to: number; added: FileEntry[]; removed: FileEntry[]; changed: { path: string; from: FileEntry; to: FileEntry; diff?: string }[] };
export type VersionRef = { version: number; unchanged?: boolean };
export type UploadLimits = { maxUploadBytes: number; maxTreeBytes: number; maxTreeFiles: number };

export type ProjectRole = 'viewer' | 'runner' | 'editor' | 'owner';

export type User = { id: string; username: string; role: 'admin' | 'member'; disabled: boolean; projects: { projectId: string; role: ProjectRole }[]; createdAt: string };

export type Project = { id: string; name: string; description: string; role: ProjectRole | null; members: { userId: string; username: string; role: ProjectRole }[] };

export type PersonalToken = { id: string; name: string; createdAt: string; expiresAt: string | null; lastUsedAt: string | null };

export type Me = { id: string | null; username: string; role: 'admin' | 'member'; projects: { id: string; name: string; role: ProjectRole }[] };
