import type { ServiceError } from '@grpc/grpc-js';
import { status as grpcStatus } from '@grpc/grpc-js';
import { join } from 'node:path';
import { Master, TestCluster } from './support/cluster';
import { check, healthClient, HealthStatus } from './support/grpc-health-client';
import { CertFiles, makeCa, makeLeaf } from './support/test-certs';
import { waitFor } from './support/wait';

const OUR_SERVICES = ['crawlnest.node.v1.NodeService', 'crawlnest.task.v1.TaskService', 'crawlnest.sync.v1.SyncService'];

describe('grpc.health.v1 on the master gRPC port', () => {
  const cluster = new TestCluster('grpc-health');
  let master: Master;

  beforeAll(async () => {
    master = await cluster.startMaster();
  });

  afterAll(() => cluster.stop());

  it('reports SERVING for the server and each of our services, without any cluster secret', async () => {
    const client = healthClient(master.grpcAddress);
    try {
      expect(await check(client, '')).toBe('SERVING');
      for (const s of OUR_SERVICES) expect(await check(client, s)).toBe('SERVING');
    } finally {
      client.close();
    }
  });

  it('answers NOT_FOUND for a service it does not serve', async () => {
    const client = healthClient(master.grpcAddress);
    try {
      const err = await check(client, 'crawlnest.nope.v1.NopeService').then(
        () => undefined,
        (e: ServiceError) => e,
      );
      expect(err?.code).toBe(grpcStatus.NOT_FOUND);
    } finally {
      client.close();
    }
  });

  it('tells a Watch NOT_SERVING on SIGTERM, ends the stream, and the master still exits cleanly', async () => {
    const doomed = await cluster.startMaster();
    const client = healthClient(doomed.grpcAddress);
    const seen: HealthStatus[] = [];
    let ended = false;
    const stream = client.Watch({ service: 'crawlnest.node.v1.NodeService' });
    stream.on('data', (m: { status: HealthStatus }) => seen.push(m.status));
    stream.on('end', () => (ended = true));
    stream.on('error', () => (ended = true));
    try {
      await waitFor('first Watch message', () => seen.length > 0, 10_000);
      expect(seen).toEqual(['SERVING']);

      doomed.proc.kill('SIGTERM');
      await waitFor('Watch reports NOT_SERVING and ends', () => ended, 10_000);
      expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
      // An open Watch must not hold the graceful gRPC shutdown.
      let timer: NodeJS.Timeout | undefined;
      const exit = await Promise.race([doomed.proc.exited, new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 15_000)))]);
      clearTimeout(timer);
      expect(exit).toEqual({ code: 0, signal: null });
    } finally {
      stream.cancel();
      client.close();
    }
  });

  describe('with TLS on', () => {
    let certs: { ca: CertFiles; master: CertFiles; client: CertFiles };
    let tlsMaster: Master;
    let mtlsMaster: Master;

    beforeAll(async () => {
      const dir = join(cluster.dir, 'certs');
      const ca = makeCa(dir, 'ca');
      certs = { ca, master: makeLeaf(dir, 'master', ca), client: makeLeaf(dir, 'probe', ca) };
      const serverTls = { CRAWLNEST_GRPC_TLS_CERT: certs.master.cert, CRAWLNEST_GRPC_TLS_KEY: certs.master.key };
      [tlsMaster, mtlsMaster] = await Promise.all([
        cluster.startMaster(serverTls),
        cluster.startMaster({ ...serverTls, CRAWLNEST_GRPC_TLS_CA: certs.ca.cert }),
      ]);
    });

    it('answers Check over TLS, trusting only the cluster CA', async () => {
      const client = healthClient(tlsMaster.grpcAddress, { ca: certs.ca.cert });
      try {
        expect(await check(client, '')).toBe('SERVING');
        expect(await check(client, 'crawlnest.node.v1.NodeService')).toBe('SERVING');
      } finally {
        client.close();
      }
    });

    it('answers Check over mutual TLS to a client with a certificate from the CA', async () => {
      const client = healthClient(mtlsMaster.grpcAddress, { ca: certs.ca.cert, client: certs.client });
      try {
        expect(await check(client, '')).toBe('SERVING');
      } finally {
        client.close();
      }
    });

    it('refuses a plaintext Check on the TLS port', async () => {
      const client = healthClient(tlsMaster.grpcAddress);
      try {
        const err = await check(client, '', 3000).then(
          () => undefined,
          (e: ServiceError) => e,
        );
        expect(err?.code).toBe(grpcStatus.UNAVAILABLE);
      } finally {
        client.close();
      }
    });
  });
});
