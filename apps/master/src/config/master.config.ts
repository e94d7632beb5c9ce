import { z } from 'zod';
import { certKeyPairProblems, ConfigError, defaultFenceMs, FENCE_MARGIN_MS, fenceProblems, GrpcServerTls, intVar, LoggingConfig, loggingConfig, loggingVars, parseEnv, pemFileVar, portVar } from '@crawlnest/node';

const schema = z.object({
  ...loggingVars,
  CRAWLNEST_HTTP_HOST: z.string().default('0.0.0.0'),
  CRAWLNEST_HTTP_PORT: portVar().default(8080),
  CRAWLNEST_GRPC_HOST: z.string().default('0.0.0.0'),
  CRAWLNEST_GRPC_PORT: portVar().default(9666),
  CRAWLNEST_MONGO_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// or mongodb+srv:// URI')
    .optional(),
  CRAWLNEST_DB_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,60}$/, 'expected letters, digits, _ or -')
    .default('crawlnest'),
  CRAWLNEST_DATA_DIR: z.string().default('./.data'),
  CRAWLNEST_API_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  CRAWLNEST_CLUSTER_SECRET: z.string().min(16, 'expected at least 16 characters').optional(),
  CRAWLNEST_REPLICA_ID: z.string().optional(),
  CRAWLNEST_NODE_TIMEOUT_MS: intVar(500, 600_000).default(2500),
  CRAWLNEST_NODE_RELOAD_MS: intVar(100, 600_000).default(2000),
  CRAWLNEST_HEARTBEAT_MS: intVar(100, 60_000).default(1000),
  CRAWLNEST_NODE_HISTORY_SLOT_MS: intVar(100, 3_600_000).default(30_000),
  CRAWLNEST_DISPATCH_POLL_MS: intVar(50, 60_000).default(500),
  CRAWLNEST_ACK_TIMEOUT_MS: intVar(500, 600_000).default(10_000),
  CRAWLNEST_ORPHAN_GRACE_MS: intVar(0, 3_600_000).default(10_000),
  CRAWLNEST_FENCE_MS: intVar(0, 3_600_000).optional(),
  CRAWLNEST_PENDING_TIMEOUT_MS: intVar(1000, 30 * 86_400_000).default(600_000),
  CRAWLNEST_STUCK_PENDING_MS: intVar(1000, 86_400_000).default(60_000),
  CRAWLNEST_TASK_RETENTION_DAYS: intVar(0, 36_500).default(30),
  CRAWLNEST_TASK_RETENTION_MAX: intVar(0, 1_000_000_000).default(0),
  CRAWLNEST_TASK_RETENTION_INTERVAL_MS: intVar(1000, 86_400_000).default(600_000),
  CRAWLNEST_MAX_UPLOAD_BYTES: intVar(1024, 8 * 1024 ** 3).default(512 * 1024 * 1024),
  CRAWLNEST_MAX_TREE_BYTES: intVar(1024, 64 * 1024 ** 3).optional(),
  CRAWLNEST_MAX_TREE_FILES: intVar(1, 1_000_000).default(20_000),
  CRAWLNEST_MAX_ITEM_BYTES: intVar(1024, 6 * 1024 * 1024).default(1024 * 1024),
  CRAWLNEST_DEDUP_BACKFILL_BATCH: intVar(1, 10_000).default(500),
  CRAWLNEST_KEEP_VERSIONS: intVar(1, 100_000).default(10),
  CRAWLNEST_STORAGE_GC_MS: intVar(500, 86_400_000).default(60_000),
  CRAWLNEST_BLOB_GRACE_MS: intVar(0, 7 * 86_400_000).default(600_000),
  CRAWLNEST_BLOB_CACHE_MB: intVar(0, 1_048_576).default(2048),
  CRAWLNEST_EMBEDDED_DB_PORT: portVar().optional(),
  CRAWLNEST_GRPC_TLS_CERT: pemFileVar('certificate').optional(),
  CRAWLNEST_GRPC_TLS_KEY: pemFileVar('private key').optional(),
  CRAWLNEST_GRPC_TLS_CA: pemFileVar('certificate').optional(),
  CRAWLNEST_METRICS_HOST: z.string().default('127.0.0.1'),
  CRAWLNEST_METRICS_PORT: portVar().optional(),
  CRAWLNEST_SCRAPYD_LIST_TIMEOUT_MS: intVar(1000, 3_600_000).default(600_000),
  CRAWLNEST_SECRETS_KEY: z.string().min(16, 'expected at least 16 characters').optional(),
  CRAWLNEST_GIT_WEBHOOK_SECRET: z.string().min(8, 'expected at least 8 characters').optional(),
  CRAWLNEST_GIT_AUTOPULL_TICK_MS: intVar(200, 600_000).default(5000),
  CRAWLNEST_SESSION_IDLE_SEC: intVar(1, 30 * 86_400).default(8 * 3600),
  CRAWLNEST_SESSION_MAX_SEC: intVar(1, 365 * 86_400).default(7 * 86_400),
  CRAWLNEST_AUDIT_RETENTION_DAYS: intVar(1, 36_500).default(90),
  CRAWLNEST_DEV_ADMIN: z.enum(['0', '1']).default('0'),
  CRAWLNEST_PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, 'expected an http(s) URL')
    .optional(),
  CRAWLNEST_NOTIFY_MAX_ATTEMPTS: intVar(1, 100).default(8),
  CRAWLNEST_NOTIFY_RETRY_BASE_MS: intVar(10, 3_600_000).default(2000),
  CRAWLNEST_NOTIFY_RETRY_MAX_MS: intVar(10, 86_400_000).default(600_000),
  CRAWLNEST_NOTIFY_TIMEOUT_MS: intVar(100, 120_000).default(10_000),
  CRAWLNEST_NOTIFY_POLL_MS: intVar(20, 60_000).default(250),
  CRAWLNEST_NOTIFY_CONCURRENCY: intVar(1, 1000).default(16),
  CRAWLNEST_NOTIFY_RETENTION_DAYS: intVar(1, 3650).default(30),
});

export type MasterConfig = {
  logging: LoggingConfig;
  httpHost: string;
  httpPort: number;
  grpcHost: string;
  grpcPort: number;
  mongoUri?: string;
  dbName: string;
  dataDir: string;
  apiToken?: string;
  clusterSecret?: string;
  replicaId?: string;
  nodeTimeoutMs: number;
  nodeReloadMs: number;
  heartbeatMs: number;
  /** One node history sample per slot of this length, 120 slots kept. */
  nodeHistorySlotMs: number;
  dispatchPollMs: number;
  ackTimeoutMs: number;
  orphanGraceMs: number;
  /** Told to workers: hearing from no master this long, they stop their tasks (0: off). */
  fenceMs: number;
  pendingTimeoutMs: number;
  stuckPendingMs: number;
  retention: { days: number; max: number; intervalMs: number };
  maxUploadBytes: number;
  /** Cap on the uncompressed size of one spider tree (default 4 × the upload cap). */
  maxTreeBytes: number;
  /** Cap on the number of files in one spider tree. */
  maxTreeFiles: number;
  /** A result item larger than this (as JSON) is refused on its own. */
  maxItemBytes: number;
  /** Stored items a dedup backfill claims per step (its progress is saved after each). */
  dedupBackfillBatch: number;
  /** Versions a spider keeps unless it says otherwise (docs/consistency.md). */
  keepVersions: number;
  storageGcMs: number;
  blobGraceMs: number;
  /** Disk the master's cache of stored file content may use (0: no cache, every download reads the database). */
  blobCacheBytes: number;
  embeddedDbPort?: number;
  /** gRPC over TLS when set; with `clientCa`, workers must present a certificate (mTLS). */
  grpcTls?: GrpcServerTls;
  metricsHost: string;
  /** Set: /metrics is also served without a token on this port (keep it private). */
  metricsPort?: number;
  /** addversion.json waits this long for `scrapy list` on a worker before reading the egg's sources instead. */
  scrapydListTimeoutMs: number;
  /** Signs git push webhooks (GitHub/Gitea HMAC, GitLab token); unset: webhooks are refused. */
  gitWebhookSecret?: string;
  gitAutoPullTickMs: number;
  /** Sign-in sessions: idle and absolute limits. */
  sessionIdleMs: number;
  sessionMaxMs: number;
  auditRetentionDays: number;
  /** `npm run dev`: create `admin` with a random password on a fresh database. */
  devAdmin: boolean;
  /** Key material for secrets at rest (notification channels, git credentials); unset: generated in the data dir (embedded) or derived from the cluster secret. */
  secretsKey?: string;
  /** Base URL of dashboard links in notifications; unset: http://<http host>:<http port>. */
  publicUrl?: string;
  notify: { maxAttempts: number; retryBaseMs: number; retryMaxMs: number; timeoutMs: number; pollMs: number; concurrency: number; retentionDays: number };
};

/** Read once at start; everything else receives this typed object. */
export function loadMasterConfig(env: NodeJS.ProcessEnv = process.env): MasterConfig {
  const e = parseEnv(schema, env);
  const fenceMs = e.CRAWLNEST_FENCE_MS ?? defaultFenceMs({ orphanGraceMs: e.CRAWLNEST_ORPHAN_GRACE_MS, nodeTimeoutMs: e.CRAWLNEST_NODE_TIMEOUT_MS });
  // Unset and derived as 0: the grace leaves no room for a fence; refused like a set value.
  const fence = fenceProblems({ fenceMs: e.CRAWLNEST_FENCE_MS === undefined && fenceMs === 0 ? 1 : fenceMs, nodeTimeoutMs: e.CRAWLNEST_NODE_TIMEOUT_MS, orphanGraceMs: e.CRAWLNEST_ORPHAN_GRACE_MS, heartbeatMs: e.CRAWLNEST_HEARTBEAT_MS });
  if (fence.length) {
    const derived = e.CRAWLNEST_FENCE_MS === undefined ? [`CRAWLNEST_FENCE_MS: unset, so derived from CRAWLNEST_ORPHAN_GRACE_MS − CRAWLNEST_NODE_TIMEOUT_MS − ${FENCE_MARGIN_MS + 500} ms = ${fenceMs}`] : [];
    throw new ConfigError([...fence, ...derived]);
  }
  return {
    logging: loggingConfig(e),
    httpHost: e.CRAWLNEST_HTTP_HOST,
    httpPort: e.CRAWLNEST_HTTP_PORT,
    grpcHost: e.CRAWLNEST_GRPC_HOST,
    grpcPort: e.CRAWLNEST_GRPC_PORT,
    mongoUri: e.CRAWLNEST_MONGO_URI,
    dbName: e.CRAWLNEST_DB_NAME,
    dataDir: e.CRAWLNEST_DATA_DIR,
    apiToken: e.CRAWLNEST_API_TOKEN,
    clusterSecret: e.CRAWLNEST_CLUSTER_SECRET,
    replicaId: e.CRAWLNEST_REPLICA_ID,
    nodeTimeoutMs: e.CRAWLNEST_NODE_TIMEOUT_MS,
    nodeReloadMs: e.CRAWLNEST_NODE_RELOAD_MS,
    heartbeatMs: e.CRAWLNEST_HEARTBEAT_MS,
    nodeHistorySlotMs: e.CRAWLNEST_NODE_HISTORY_SLOT_MS,
    dispatchPollMs: e.CRAWLNEST_DISPATCH_POLL_MS,
    ackTimeoutMs: e.CRAWLNEST_ACK_TIMEOUT_MS,
    orphanGraceMs: e.CRAWLNEST_ORPHAN_GRACE_MS,
    fenceMs,
    pendingTimeoutMs: e.CRAWLNEST_PENDING_TIMEOUT_MS,
    stuckPendingMs: e.CRAWLNEST_STUCK_PENDING_MS,
    retention: { days: e.CRAWLNEST_TASK_RETENTION_DAYS, max: e.CRAWLNEST_TASK_RETENTION_MAX, intervalMs: e.CRAWLNEST_TASK_RETENTION_INTERVAL_MS },
    maxUploadBytes: e.CRAWLNEST_MAX_UPLOAD_BYTES,
    maxTreeBytes: e.CRAWLNEST_MAX_TREE_BYTES ?? e.CRAWLNEST_MAX_UPLOAD_BYTES * 4,
    maxTreeFiles: e.CRAWLNEST_MAX_TREE_FILES,
    maxItemBytes: e.CRAWLNEST_MAX_ITEM_BYTES,
    dedupBackfillBatch: e.CRAWLNEST_DEDUP_BACKFILL_BATCH,
    keepVersions: e.CRAWLNEST_KEEP_VERSIONS,
    storageGcMs: e.CRAWLNEST_STORAGE_GC_MS,
    blobGraceMs: e.CRAWLNEST_BLOB_GRACE_MS,
    blobCacheBytes: e.CRAWLNEST_BLOB_CACHE_MB * 1024 * 1024,
    embeddedDbPort: e.CRAWLNEST_EMBEDDED_DB_PORT,
    grpcTls: serverTls(e),
    metricsHost: e.CRAWLNEST_METRICS_HOST,
    metricsPort: e.CRAWLNEST_METRICS_PORT,
    scrapydListTimeoutMs: e.CRAWLNEST_SCRAPYD_LIST_TIMEOUT_MS,
    secretsKey: e.CRAWLNEST_SECRETS_KEY,
    gitWebhookSecret: e.CRAWLNEST_GIT_WEBHOOK_SECRET,
    gitAutoPullTickMs: e.CRAWLNEST_GIT_AUTOPULL_TICK_MS,
    sessionIdleMs: e.CRAWLNEST_SESSION_IDLE_SEC * 1000,
    sessionMaxMs: e.CRAWLNEST_SESSION_MAX_SEC * 1000,
    auditRetentionDays: e.CRAWLNEST_AUDIT_RETENTION_DAYS,
    devAdmin: e.CRAWLNEST_DEV_ADMIN === '1',
    publicUrl: e.CRAWLNEST_PUBLIC_URL,
    notify: {
      maxAttempts: e.CRAWLNEST_NOTIFY_MAX_ATTEMPTS,
      retryBaseMs: e.CRAWLNEST_NOTIFY_RETRY_BASE_MS,
      retryMaxMs: e.CRAWLNEST_NOTIFY_RETRY_MAX_MS,
      timeoutMs: e.CRAWLNEST_NOTIFY_TIMEOUT_MS,
      pollMs: e.CRAWLNEST_NOTIFY_POLL_MS,
      concurrency: e.CRAWLNEST_NOTIFY_CONCURRENCY,
      retentionDays: e.CRAWLNEST_NOTIFY_RETENTION_DAYS,
    },
  };
}

/**
 * CERT+KEY turn TLS on; CA on top makes it mutual (client certificates required and
 * verified against it). A CA alone would verify nothing over plaintext, so it is refused.
 */
function serverTls(e: z.infer<typeof schema>): GrpcServerTls | undefined {
  const cert = e.CRAWLNEST_GRPC_TLS_CERT;
  const key = e.CRAWLNEST_GRPC_TLS_KEY;
  const ca = e.CRAWLNEST_GRPC_TLS_CA;
  const problems = certKeyPairProblems(cert, key, 'CRAWLNEST_GRPC_TLS_CERT', 'CRAWLNEST_GRPC_TLS_KEY');
  if (ca && !cert && !key) {
    problems.push('CRAWLNEST_GRPC_TLS_CA: needs CRAWLNEST_GRPC_TLS_CERT and CRAWLNEST_GRPC_TLS_KEY (client certificates are only verified over TLS)');
  }
  if (problems.length) throw new ConfigError(problems);
  return cert && key ? { cert: cert.pem, key: key.pem, clientCa: ca?.pem } : undefined;
}
