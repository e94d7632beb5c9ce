import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestCluster } from './support/cluster';
import { isAlive } from './support/processes';
import { waitFor } from './support/wait';

const alive = isAlive;

describe('the embedded database (no CRAWLNEST_MONGO_URI)', () => {
  const cluster = new TestCluster('embedded');
  const dataDir = join(cluster.dir, 'data');
  afterAll(() => cluster.stop());

  it('starts FerretDB, shares it between two masters, and stops it with the last one', async () => {
    const m1 = await cluster.startMaster({ CRAWLNEST_DATA_DIR: dataDir }, { embedded: true });
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    expect(m1.proc.output()).toContain(`API token: ${token}`);
    expect(readFileSync(join(dataDir, 'ferretdb', 'ferretdb.log'), 'utf8')).not.toMatch(/telemetry.*enabled/i);
    const server = JSON.parse(readFileSync(join(dataDir, 'ferretdb', 'server.json'), 'utf8')) as { pid: number; port: number };
    expect(alive(server.pid)).toBe(true);
    expect((await m1.api.get('/api/health')).body).toMatchObject({ status: 'ok', db: 'up' });

    const m2 = await cluster.startMaster({ CRAWLNEST_DATA_DIR: dataDir }, { embedded: true });
    expect(m2.proc.output()).toContain('embedded FerretDB reused');
    expect(m2.proc.output()).toContain(`API token: ${token}`);

    // A worker beside them needs no secret in its environment: it reads the generated one.
    await cluster.startWorker({ masters: [m2], name: 'local', env: { CRAWLNEST_DATA_DIR: dataDir, CRAWLNEST_CLUSTER_SECRET: '' } });
    await cluster.waitNodeReady(m1.api, 'local'); // seen through m1: one shared database

    await m1.proc.stop();
    expect(alive(server.pid)).toBe(true);
    expect((await m2.api.get('/api/health')).body).toMatchObject({ status: 'ok', db: 'up' });

    await cluster.workers[0].proc.stop();
    await m2.proc.stop();
    await waitFor('FerretDB stopped with the last master', () => !alive(server.pid), 10_000);
    expect(existsSync(join(dataDir, 'ferretdb', 'server.json'))).toBe(false);

    // Restarted on the same data dir: the same token, and the data is still there.
    const m3 = await cluster.startMaster({ CRAWLNEST_DATA_DIR: dataDir }, { embedded: true });
    expect(m3.proc.output()).toContain(`API token: ${token}`);
    const nodes = await m3.api.get<{ name: string }[]>('/api/nodes');
    expect(nodes.body.map((n) => n.name)).toEqual(['local']);
  });
});
