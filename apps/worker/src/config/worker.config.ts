import { z } from 'zod';
import { LoggingConfig, loggingConfig, loggingVars, addressListVar, intVar, labelsVar, parseEnv } from '@crawlnest/node';

const schema = z.object({
  ...loggingVars,
  CRAWLNEST_MASTER: addressListVar().default(['127.0.0.1:9666']),
  CRAWLNEST_CLUSTER_SECRET: z.string().min(16, 'expected at least 16 characters').optional(),
  CRAWLNEST_DATA_DIR: z.string().default('./.data'),
  CRAWLNEST_WORKSPACE: z.string().optional(),
  CRAWLNEST_NODE_NAME: z.string().max(200).optional(),
  CRAWLNEST_LABELS: labelsVar().default([]),
  CRAWLNEST_MAX_RUNNERS: intVar(1, 1024).default(4),
  CRAWLNEST_HEARTBEAT_MS: intVar(100, 60_000).default(1000),
  CRAWLNEST_KILL_GRACE_MS: intVar(0, 600_000).default(5000),
  CRAWLNEST_LOG_BATCH_MS: intVar(10, 60_000).default(200),
  CRAWLNEST_DRAIN_MS: intVar(0, 3_600_000).default(10_000),
});

export type WorkerConfig = {
  logging: LoggingConfig;
  masters: string[];
  clusterSecret?: string;
  dataDir: string;
  workspace: string;
  nodeName?: string;
  labels: { key: string; value: string }[];
  maxRunners: number;
  heartbeatMs: number;
  killGraceMs: number;
  logBatchMs: number;
  /** On SIGTERM, running tasks get this long to end before they are cancelled. */
  drainMs: number;
};

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const e = parseEnv(schema, env);
  return {
    logging: loggingConfig(e),
    masters: e.CRAWLNEST_MASTER,
    clusterSecret: e.CRAWLNEST_CLUSTER_SECRET,
    dataDir: e.CRAWLNEST_DATA_DIR,
    workspace: e.CRAWLNEST_WORKSPACE ?? `${e.CRAWLNEST_DATA_DIR}/worker`,
    nodeName: e.CRAWLNEST_NODE_NAME,
    labels: e.CRAWLNEST_LABELS,
    maxRunners: e.CRAWLNEST_MAX_RUNNERS,
    heartbeatMs: e.CRAWLNEST_HEARTBEAT_MS,
    killGraceMs: e.CRAWLNEST_KILL_GRACE_MS,
    logBatchMs: e.CRAWLNEST_LOG_BATCH_MS,
    drainMs: e.CRAWLNEST_DRAIN_MS,
  };
}
