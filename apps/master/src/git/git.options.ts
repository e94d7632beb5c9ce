export const GIT_OPTIONS = Symbol('GIT_OPTIONS');

export type GitOptions = {
  /** Bare caches of the repositories: <dataDir>/git. */
  cacheDir: string;
  /** Seals credentials at rest (SecretBox, the key notifications use too). */
  secretsKey: string;
  /** Webhooks are refused while unset (CRAWLNEST_GIT_WEBHOOK_SECRET). */
  webhookSecret?: string;
  replicaId: string;
  /** How often the auto-pull cron looks for due sources. */
  autoPullTickMs: number;
};
