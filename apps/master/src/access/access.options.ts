export const ACCESS_OPTIONS = Symbol('ACCESS_OPTIONS');

export type AccessOptions = {
  /** CRAWLNEST_API_TOKEN: the root credential (automation, first admin). */
  rootToken: string;
  /** A session unused this long ends. */
  sessionIdleMs: number;
  /** A session ends this long after sign-in, used or not. */
  sessionMaxMs: number;
  auditRetentionDays: number;
  /** Failed logins per username or per address within `loginWindowMs` before 429. */
  loginMaxFailures: number;
  loginWindowMs: number;
};
