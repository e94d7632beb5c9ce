import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from './api-client';
import { PROJECT_ROOT } from './ferretdb-server';
import { TestProcess } from './processes';
import { freePort, waitFor } from './wait';

export const MASTER_MAIN = join(PROJECT_ROOT, 'dist/apps/master/apps/master/src/main.js');
export const WORKER_MAIN = join(PROJECT_ROOT, 'dist/apps/worker/apps/worker/src/main.js');

export type Master = { proc: TestProcess; httpPort: number; grpcPort: number; grpcAddress: string; api: ApiClient; env: NodeJS.ProcessEnv; name: string };
export type Worker = { proc: TestProcess; workspace: string; name: string };

let counter = 0;

/**
 * Real masters and workers for one suite: its own database in the run's FerretDB, its
 * own temp dir, free ports, and everything stopped by `stop()`.
 */
export class TestCluster {
  readonly dir: string;
  readonly dbName: string;
  readonly apiToken = 'e2e-api-token-0123456789abcdef';
  readonly clusterSecret = 'e2e-cluster-secret-0123456789abcdef';
  readonly masters: Master[] = [];
  /** Names are taken when a start begins: masters started together get distinct names (and replica ids). */
  private mastersStarted = 0;
  readonly workers: Worker[] = [];

  /** `mongoUri`: a database server of the suite's own (one it kills), instead of the run's shared one. */
  constructor(suite: string, private readonly ownMongoUri?: string) {
    const uri = ownMongoUri ?? process.env.CRAWLNEST_E2E_MONGO_URI;
    if (!uri) throw new Error('CRAWLNEST_E2E_MONGO_URI unset: run through test/jest-e2e.config.js');
    this.dir = mkdtempSync(join(tmpdir(), `crawlnest-e2e-${suite}-`));
    this.dbName = `e2e_${suite.replace(/[^A-Za-z0-9]/g, '_')}_${process.pid}_${++counter}_${Date.now() % 100000}`;
  }

  get mongoUri(): string {
    return this.ownMongoUri ?? (process.env.CRAWLNEST_E2E_MONGO_URI as string);
  }

  /**
   * Starts a master on the suite's database; with `embedded`, on the embedded FerretDB of
   * `env.CRAWLNEST_DATA_DIR` instead, with the token and secret it generates itself.
   */
  async startMaster(
    env: Record<string, string> = {},
    opts: { embedded?: boolean; httpPort?: number; grpcPort?: number } = {},
  ): Promise<Master> {
    // Ports given: a restart of a master on the address its workers know.
    const httpPort = opts.httpPort ?? (await freePort());
    const grpcPort = opts.grpcPort ?? (await freePort());
    const name = `master${++this.mastersStarted}`;
    const database = opts.embedded
      ? {}
      : {
          CRAWLNEST_MONGO_URI: this.mongoUri,
          CRAWLNEST_DB_NAME: this.dbName,
          CRAWLNEST_API_TOKEN: this.apiToken,
          CRAWLNEST_CLUSTER_SECRET: this.clusterSecret,
        };
    const fullEnv: NodeJS.ProcessEnv = {
      ...baseEnv(),
      ...database,
      CRAWLNEST_HTTP_HOST: '127.0.0.1',
      CRAWLNEST_HTTP_PORT: String(httpPort),
      CRAWLNEST_GRPC_HOST: '127.0.0.1',
      CRAWLNEST_GRPC_PORT: String(grpcPort),
      CRAWLNEST_DATA_DIR: join(this.dir, name),
      CRAWLNEST_REPLICA_ID: name,
      ...env,
    };
    const proc = new TestProcess(name, MASTER_MAIN, fullEnv, join(this.dir, `${name}.log`));
    // A master that never came up is stopped here: no suite holds it, and its open pipes
    // would keep jest from exiting after the run (the handle `forceExit` used to hide).
    return stopOnFailure(proc, () => this.awaitMasterUp(proc, name, httpPort, grpcPort, fullEnv, opts.embedded === true));
  }

  private async awaitMasterUp(proc: TestProcess, name: string, httpPort: number, grpcPort: number, fullEnv: NodeJS.ProcessEnv, embedded: boolean): Promise<Master> {
    const token = embedded
      ? await waitFor(`${name} prints its API token`, () => {
          if (!proc.running) throw new Error(`${name} exited:\n${proc.output()}`);
          return /API token: ([0-9a-f]+)/.exec(proc.output())?.[1];
        }, 180_000, 100)
      : this.apiToken;
    const api = new ApiClient(`http://127.0.0.1:${httpPort}`, token);
    await waitFor(`${name} health`, async () => {
      if (!proc.running) throw new Error(`${name} exited:\n${proc.output()}`);
      return (await api.get('/api/health')).status === 200;
    }, 30_000, 100);
    const m = { proc, httpPort, grpcPort, grpcAddress: `127.0.0.1:${grpcPort}`, api, env: fullEnv, name };
    this.masters.push(m);
    return m;
  }

  /**
   * Stops a master (SIGKILL, or SIGTERM for a clean stop) and starts it again on the same
   * ports and settings, so its workers can come back to the same address.
   */
  async restartMaster(m: Master, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    if (signal === 'SIGKILL') {
      m.proc.kill('SIGKILL');
      await m.proc.exited;
    } else {
      await m.proc.stop();
    }
    m.proc = new TestProcess(m.name, MASTER_MAIN, m.env, join(this.dir, `${m.name}.log`));
    await stopOnFailure(m.proc, () =>
      waitFor(`${m.name} health after restart`, async () => {
        if (!m.proc.running) throw new Error(`${m.name} exited:\n${m.proc.output()}`);
        return (await m.api.get('/api/health')).status === 200;
      }, 30_000, 100),
    );
  }

  /** Starts a worker; `masters` are host:port addresses (or masters) in failover order. */
  async startWorker(opts: { masters: (Master | string)[]; env?: Record<string, string>; name?: string; workspace?: string }): Promise<Worker> {
    const name = opts.name ?? `worker${this.workers.length + 1}`;
    const workspace = opts.workspace ?? join(this.dir, name);
    mkdirSync(workspace, { recursive: true });
    const proc = new TestProcess(
      name,
      WORKER_MAIN,
      {
        ...baseEnv(),
        CRAWLNEST_MASTER: opts.masters.map((m) => (typeof m === 'string' ? m : m.grpcAddress)).join(','),
        CRAWLNEST_CLUSTER_SECRET: this.clusterSecret,
        CRAWLNEST_WORKSPACE: workspace,
        CRAWLNEST_NODE_NAME: name,
        // Suites end with tasks still running; their teardown should not wait a full drain.
        CRAWLNEST_DRAIN_MS: '2000',
        ...opts.env,
      },
      join(this.dir, `${name}.log`),
    );
    const w = { proc, workspace, name };
    this.workers.push(w);
    return w;
  }

  /** Waits until a node of that name is online and task-ready; returns its id. */
  async waitNodeReady(api: ApiClient, name: string, timeoutMs = 20_000): Promise<string> {
    const node = await waitFor(`node ${name} online and taskReady`, async () => {
      const r = await api.get<{ id: string; name: string; status: string; taskReady: boolean }[]>('/api/nodes');
      return r.body.find((n) => n.name === name && n.status === 'online' && n.taskReady);
    }, timeoutMs);
    return node.id;
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.proc.stop()));
    await Promise.all(this.masters.map((m) => m.proc.stop()));
    if (!process.env.CRAWLNEST_KEEP_TEST_DIRS) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs `wait`; if it throws, kills `proc` (and waits for its exit) before rethrowing. */
async function stopOnFailure<T>(proc: TestProcess, wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (err) {
    proc.kill('SIGKILL');
    await proc.exited;
    throw err;
  }
}

/** The parent's environment without any CRAWLNEST_* settings that would leak into a test. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CRAWLNEST_')) env[k] = v;
  return env;
}
