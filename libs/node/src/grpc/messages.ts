/**
 * TypeScript shapes of the proto messages as @grpc/proto-loader delivers them with our
 * loader options (camelCase fields, int64 as string, defaults filled, oneof name set).
 */
export type LabelMsg = { key: string; value: string };

export type RegisterRequest = {
  key: string;
  name: string;
  hostname: string;
  ip: string;
  labels: LabelMsg[];
  maxRunners: number;
  version: string;
  runtimes?: RuntimeMsg[];
};

export type RuntimeMsg = { name: string; version: string };

export type EnvironmentMsg = { key: string; kind: string; sizeBytes: string | number; lastUsedAtMs: string | number; state: string };

export type RegisterResponse = { nodeId: string; replica: string; heartbeatIntervalMs: number; fenceMs: number };

export type RunningAttempt = { taskId: string; attempt: number };

export type HelloMsg = { nodeId: string; key: string; ready: boolean; running: RunningAttempt[] };

export type HeartbeatMsg = {
  runningTasks: number;
  ready: boolean;
  cpuPercent: number;
  memoryBytes: string | number;
  diskFreeBytes: string | number;
  sentAtMs: string | number;
  freeSlots: number;
  running: RunningAttempt[];
  environments?: EnvironmentMsg[];
};

export type WorkerMessage = {
  body?: 'hello' | 'heartbeat';
  hello?: HelloMsg | null;
  heartbeat?: HeartbeatMsg | null;
};

export type AssignmentMsg = {
  taskId: string;
  attempt: number;
  spiderId: string;
  spiderVersion: number;
  command: string;
  env: { key: string; value: string }[];
  timeoutSec: number;
  /** 0: the worker's default grace. */
  killGraceSec: number;
  /** The master's ack timeout; 0 or absent from a master that does not send it. */
  ackTimeoutMs?: number;
};

export type CancelMsg = { taskId: string; attempt: number; reason: string };

export type MasterMessage =
  | { ping: { sentAtMs: string | number } }
  | { assignment: AssignmentMsg }
  | { cancel: CancelMsg };
