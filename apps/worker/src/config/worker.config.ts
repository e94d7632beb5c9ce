import { z } from 'zod';
import { addressListVar, certKeyPairProblems, ConfigError, GrpcClientTls, intVar, labelsVar, LoggingConfig, loggingConfig, loggingVars, parseEnv, pemFileVar } from '@crawlnest/node';

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
  CRAWLNEST_SHUTDOWN_MODE: z.enum(['handback', 'cancel'], { message: 'expected handback or cancel' }).default('handback'),
  CRAWLNEST_MAX_RESULT_LINE_BYTES: intVar(64 * 1024, 256 * 1024 * 1024).default(16 * 1024 * 1024),
  CRAWLNEST_MAX_ITEM_BYTES: intVar(1024, 6 * 1024 * 1024).default(1024 * 1024),
  CRAWLNEST_ENV_CACHE_BYTES: intVar(0, Number.MAX_SAFE_INTEGER).default(10 * 1024 ** 3),
  CRAWLNEST_ENV_BUILD_TIMEOUT_S: intVar(1, 86_400).default(900),
  CRAWLNEST_PIP_ARGS: z.string().default(''),
  CRAWLNEST_NPM_ARGS: z.string().default(''),
  CRAWLNEST_GRPC_TLS_CA: pemFileVar('certificate').optional(),
  CRAWLNEST_GRPC_TLS_CERT: pemFileVar('certificate').optional(),
  CRAWLNEST_GRPC_TLS_KEY: pemFileVar('private key').optional(),
  CRAWLNEST_GRPC_TLS_SERVER_NAME: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.-]{1,253}$/, 'expected a host name')
    .optional(),
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
  /** On SIGTERM, running tasks get this long to end before they are handed back (or cancelled). */
  drainMs: number;
  /** What SIGTERM does to tasks still running after the drain window (docs/operations.md). */
  shutdownMode: 'handback' | 'cancel';
  /** A result line (stdout) is kept whole up to this size: it bounds the reader's memory per stream. */
  maxResultLineBytes: number;
  /** A result item larger than this (as JSON) is refused on its own. */
  maxItemBytes: number;
  /** Spider dependency environments (docs/environments.md). */
  environments: { cacheBytes: number; buildTimeoutMs: number; pipArgs: string[]; npmArgs: string[] };
  /** TLS to the masters when set; with cert/key, the worker also presents its own (mTLS). */
  grpcTls?: GrpcClientTls;
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
    shutdownMode: e.CRAWLNEST_SHUTDOWN_MODE,
    maxResultLineBytes: e.CRAWLNEST_MAX_RESULT_LINE_BYTES,
    maxItemBytes: e.CRAWLNEST_MAX_ITEM_BYTES,
    environments: {
      cacheBytes: e.CRAWLNEST_ENV_CACHE_BYTES,
      buildTimeoutMs: e.CRAWLNEST_ENV_BUILD_TIMEOUT_S * 1000,
      pipArgs: splitArgs(e.CRAWLNEST_PIP_ARGS),
      npmArgs: splitArgs(e.CRAWLNEST_NPM_ARGS),
    },
    grpcTls: clientTls(e),
  };
}

/**
 * CA turns TLS on (it is the trust root for the masters' certificates); CERT+KEY add the
 * worker's own certificate for masters that require one. A certificate without a CA is
 * refused rather than silently sent nowhere over plaintext.
 */
function clientTls(e: z.infer<typeof schema>): GrpcClientTls | undefined {
  const ca = e.CRAWLNEST_GRPC_TLS_CA;
  const cert = e.CRAWLNEST_GRPC_TLS_CERT;
  const key = e.CRAWLNEST_GRPC_TLS_KEY;
  const serverName = e.CRAWLNEST_GRPC_TLS_SERVER_NAME;
  const problems = certKeyPairProblems(cert, key, 'CRAWLNEST_GRPC_TLS_CERT', 'CRAWLNEST_GRPC_TLS_KEY');
  if (!ca && (cert || key)) problems.push('CRAWLNEST_GRPC_TLS_CA: required when CRAWLNEST_GRPC_TLS_CERT/KEY are set (the trust root for the master\'s certificate)');
  if (!ca && serverName) problems.push('CRAWLNEST_GRPC_TLS_SERVER_NAME: only used with CRAWLNEST_GRPC_TLS_CA');
  if (problems.length) throw new ConfigError(problems);
  return ca ? { ca: ca.pem, cert: cert?.pem, key: key?.pem, serverName } : undefined;
}

/** Installer arguments are whitespace-separated (`--index-url https://mirror/simple --timeout 30`). */
function splitArgs(s: string): string[] {
  return s.split(/\s+/).filter((a) => a !== '');
}
