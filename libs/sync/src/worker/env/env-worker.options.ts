export const ENV_WORKER_OPTIONS = Symbol('ENV_WORKER_OPTIONS');

export type EnvWorkerOptions = {
  /** Environments live under `<workspace>/envs`. */
  workspace: string;
  /** Least recently used environments beyond this many bytes are removed (0: no limit). */
  cacheBytes: number;
  /** One build (all its installer steps) is killed after this long. */
  buildTimeoutMs: number;
  /** Extra arguments for `pip install` (index URL, mirror, flags). */
  pipArgs: string[];
  /** Extra arguments for `npm ci` / `npm install`. */
  npmArgs: string[];
};
