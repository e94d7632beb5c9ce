import { join } from 'node:path';
import { MASTER_MAIN, TestCluster, WORKER_MAIN } from './support/cluster';
import { TestProcess } from './support/processes';

describe('configuration is validated once at start', () => {
  const cluster = new TestCluster('config');
  afterAll(() => cluster.stop());

  async function run(main: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
    const p = new TestProcess('p', main, { PATH: process.env.PATH, ...env }, join(cluster.dir, `run-${Date.now()}.log`));
    const exit = await p.exited;
    return { code: exit.code, output: p.output() };
  }

  it.each([
    ['CRAWLNEST_HTTP_PORT', 'eighty', 'expected an integer'],
    ['CRAWLNEST_MONGO_URI', 'postgres://x', 'expected a mongodb:// or mongodb+srv:// URI'],
    ['CRAWLNEST_NODE_TIMEOUT_MS', '10', 'expected >= 500'],
  ])('the master stops when %s=%j, naming it', async (name, value, expected) => {
    const r = await run(MASTER_MAIN, { [name]: value, CRAWLNEST_DATA_DIR: join(cluster.dir, 'm') });
    expect(r.code).toBe(2);
    expect(r.output).toContain(`${name}: ${expected}`);
  });

  it('the master refuses a fence the orphan grace cannot cover (exit 2, naming the variables)', async () => {
    const r = await run(MASTER_MAIN, { CRAWLNEST_FENCE_MS: '9000', CRAWLNEST_DATA_DIR: join(cluster.dir, 'm') });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/CRAWLNEST_ORPHAN_GRACE_MS \(10000\) must be greater than CRAWLNEST_FENCE_MS \(9000\) \+ CRAWLNEST_NODE_TIMEOUT_MS \(2500\)/);
  });

  it('the master refuses an external database without token and secret', async () => {
    const r = await run(MASTER_MAIN, { CRAWLNEST_MONGO_URI: cluster.mongoUri });
    expect(r.code).toBe(2);
    expect(r.output).toContain('CRAWLNEST_API_TOKEN and CRAWLNEST_CLUSTER_SECRET: required');
  });

  it.each([
    ['a token but no secret', { CRAWLNEST_API_TOKEN: 'a-long-enough-api-token' }, 'CRAWLNEST_API_TOKEN and CRAWLNEST_CLUSTER_SECRET: required'],
    ['a short token', { CRAWLNEST_API_TOKEN: 'short', CRAWLNEST_CLUSTER_SECRET: 'a-long-enough-cluster-secret' }, 'CRAWLNEST_API_TOKEN: expected at least 16 characters'],
    ['a short secret', { CRAWLNEST_API_TOKEN: 'a-long-enough-api-token', CRAWLNEST_CLUSTER_SECRET: 'tiny' }, 'CRAWLNEST_CLUSTER_SECRET: expected at least 16 characters'],
  ])('the master refuses an external database with %s', async (_what, env, expected) => {
    const r = await run(MASTER_MAIN, { CRAWLNEST_MONGO_URI: cluster.mongoUri, ...env });
    expect(r.code).toBe(2);
    expect(r.output).toContain(expected);
  });

  it('the worker stops on a bad master address, naming it', async () => {
    const r = await run(WORKER_MAIN, { CRAWLNEST_MASTER: 'localhost', CRAWLNEST_CLUSTER_SECRET: 'x'.repeat(20) });
    expect(r.code).toBe(2);
    expect(r.output).toContain('CRAWLNEST_MASTER');
    expect(r.output).toContain('expected host:port');
  });

  it('the worker without any cluster secret says where it looked', async () => {
    const r = await run(WORKER_MAIN, { CRAWLNEST_DATA_DIR: join(cluster.dir, 'empty') });
    expect(r.code).toBe(2);
    expect(r.output).toContain('CRAWLNEST_CLUSTER_SECRET: required');
  });
});
