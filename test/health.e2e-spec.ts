import { TestCluster } from './support/cluster';
import { check, healthClient } from './support/grpc-health-client';
import { TcpProxy } from './support/tcp-proxy';
import { waitFor } from './support/wait';

describe('/api/health (terminus database ping) and gRPC health without a database', () => {
  const cluster = new TestCluster('health');
  let proxy: TcpProxy;

  afterAll(async () => {
    await cluster.stop();
    await proxy?.close();
  });

  it('says degraded (REST) and NOT_SERVING (gRPC) while the database is cut off, and ok / SERVING again once it is back', async () => {
    // The master reaches the suite's database only through a proxy the test can cut.
    const db = new URL(cluster.mongoUri);
    proxy = await TcpProxy.start(Number(db.port), db.hostname);
    db.port = String(proxy.port);
    const m = await cluster.startMaster({ CRAWLNEST_MONGO_URI: db.toString() });
    const api = m.api.withToken(null);
    expect((await api.get('/api/health')).body).toMatchObject({ status: 'ok', db: 'up', replica: m.name });

    const grpc = healthClient(m.grpcAddress);
    expect(await check(grpc, '')).toBe('SERVING');

    proxy.reset();
    const down = await waitFor('health degraded', async () => {
      const r = await api.get('/api/health');
      return r.body.status === 'degraded' ? r : undefined;
    }, 20_000, 200);
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ status: 'degraded', db: 'down', replica: m.name, details: { db: { status: 'down' } } });

    // The gRPC side learns it from the driver's connection events (its heartbeat), so later.
    await waitFor('gRPC health NOT_SERVING', async () => (await check(grpc, 'crawlnest.task.v1.TaskService')) === 'NOT_SERVING', 60_000, 250);

    proxy.restore();
    await waitFor('health ok again', async () => (await api.get('/api/health')).body.status === 'ok', 30_000, 200);
    await waitFor('gRPC health SERVING again', async () => (await check(grpc, '')) === 'SERVING', 60_000, 250);
    grpc.close();
  }, 180_000);
});
