export type NotifyMasterOptions = {
  replicaId: string;
  /** Key material for secrets at rest (CRAWLNEST_SECRETS_KEY, or the data dir's generated key). */
  secretsKey: string;
  /** Base of dashboard links in messages, e.g. https://crawlnest.example.com */
  publicUrl: string;
  /** Attempts per delivery before it is marked failed. */
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Default per-attempt timeout (a channel may set its own). */
  timeoutMs: number;
  /** How often each replica looks at the outbox and due deliveries. */
  pollMs: number;
  /** Settled deliveries older than this many days are deleted (hourly). */
  retentionDays: number;
  /** Sends in flight at once per replica: a hanging receiver holds one slot, not the others. */
  concurrency: number;
};

export const NOTIFY_MASTER_OPTIONS = Symbol('NOTIFY_MASTER_OPTIONS');
