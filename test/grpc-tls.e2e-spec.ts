import { join } from 'node:path';
import { MASTER_MAIN, Master, TestCluster, Worker, WORKER_MAIN } from './support/cluster';
import { TestProcess } from './support/processes';
import { CertFiles, makeCa, makeLeaf } from './support/test-certs';
import { waitFor } from './support/wait';

type Task = { id: string; status: string; exitCode: number | null; nodeId: string | null };
type LogPage = { lines: { seq: number; stream: string; text: string }[]; done: boolean };

describe('gRPC between workers and master over TLS', () => {
  const cluster = new TestCluster('grpc-tls');
  const certDir = join(cluster.dir, 'certs');
  let ca: CertFiles;
  let masterCert: CertFiles;
  let workerCert: CertFiles;
  let otherCa: CertFiles;
  /** Mutual TLS: workers must present a certificate from `ca`. */
  let master: Master;

  const masterTls = (): Record<string, string> => ({
    CRAWLNEST_GRPC_TLS_CERT: masterCert.cert,
    CRAWLNEST_GRPC_TLS_KEY: masterCert.key,
  });
  const workerTls = (): Record<string, string> => ({
    CRAWLNEST_GRPC_TLS_CA: ca.cert,
    CRAWLNEST_GRPC_TLS_CERT: workerCert.cert,
    CRAWLNEST_GRPC_TLS_KEY: workerCert.key,
  });

  beforeAll(async () => {
    ca = makeCa(certDir, 'cluster-ca');
    masterCert = makeLeaf(certDir, 'master', ca);
    workerCert = makeLeaf(certDir, 'worker', ca);
    otherCa = makeCa(certDir, 'other-ca');
    master = await cluster.startMaster({ ...masterTls(), CRAWLNEST_GRPC_TLS_CA: ca.cert });
  });

  afterAll(() => cluster.stop());

  async function nodeNames(m: Master): Promise<string[]> {
    return (await m.api.get<{ name: string }[]>('/api/nodes')).body.map((n) => n.name);
  }

  /** Waits until the worker has failed to reach the master `times` times, then returns its log. */
  async function failedLinks(w: Worker, times: number, errorPattern: RegExp): Promise<string> {
    return waitFor(`${w.name} fails to link ${times} times with ${errorPattern}`, () => {
      if (!w.proc.running) throw new Error(`${w.name} exited:\n${w.proc.output()}`);
      const out = w.proc.output();
      return (out.match(/master link failed/g) ?? []).length >= times && errorPattern.test(out) ? out : undefined;
    }, 20_000, 100);
  }

  it('a worker with a certificate from the cluster CA comes online and runs a task to finished with its log', async () => {
    await cluster.startWorker({ masters: [master], name: 'tls-worker', env: workerTls() });
    const nodeId = await cluster.waitNodeReady(master.api, 'tls-worker');

    const spider = await master.api.post('/api/spiders', { name: 'over-tls', cmd: 'sh run.sh' });
    expect(spider.status).toBe(201);
    const up = await master.api.putFiles(`/api/spiders/${spider.body.id}/files`, {
      'run.sh': 'echo "hello over tls"\necho "second line"\n',
    });
    expect(up.status).toBe(200);
    const created = await master.api.post('/api/tasks', { spiderId: spider.body.id });
    expect(created.status).toBe(201);
    const id: string = created.body.tasks[0].id;

    const task = await waitFor(`task ${id} ends`, async () => {
      const t = (await master.api.get<Task>(`/api/tasks/${id}`)).body;
      return ['finished', 'error', 'cancelled', 'abnormal'].includes(t.status) ? t : undefined;
    }, 30_000);
    expect(task).toMatchObject({ status: 'finished', exitCode: 0, nodeId });
    const logs = (await master.api.get<LogPage>(`/api/tasks/${id}/logs?limit=100`)).body;
    expect(logs.done).toBe(true);
    expect(logs.lines.filter((l) => l.stream === 'stdout').map((l) => l.text)).toEqual(['hello over tls', 'second line']);
  });

  it('a worker trusting another CA never comes online, and its log names the certificate problem', async () => {
    const w = await cluster.startWorker({
      masters: [master],
      name: 'other-ca-worker',
      env: { ...workerTls(), CRAWLNEST_GRPC_TLS_CA: otherCa.cert },
    });
    const log = await failedLinks(w, 3, /self-signed certificate in certificate chain|unable to verify|certificate verify failed/);
    expect(log).not.toContain('connected to master');
    expect(await nodeNames(master)).not.toContain('other-ca-worker');
  });

  it('a worker without its own certificate is refused by the mutual-TLS master', async () => {
    const w = await cluster.startWorker({
      masters: [master],
      name: 'no-cert-worker',
      env: { CRAWLNEST_GRPC_TLS_CA: ca.cert },
    });
    const log = await failedLinks(w, 3, /certificate required|handshake|Connection dropped|socket disconnected/i);
    expect(log).not.toContain('connected to master');
    expect(await nodeNames(master)).not.toContain('no-cert-worker');
  });

  it('a plaintext worker never comes online against the TLS master', async () => {
    const w = await cluster.startWorker({ masters: [master], name: 'plaintext-worker' });
    const log = await failedLinks(w, 3, /UNAVAILABLE/);
    expect(log).not.toContain('connected to master');
    expect(await nodeNames(master)).not.toContain('plaintext-worker');
  });

  it('a TLS master without a client CA accepts a worker that only trusts the cluster CA', async () => {
    const tlsOnly = await cluster.startMaster(masterTls());
    await cluster.startWorker({ masters: [tlsOnly], name: 'ca-only-worker', env: { CRAWLNEST_GRPC_TLS_CA: ca.cert } });
    await cluster.waitNodeReady(tlsOnly.api, 'ca-only-worker');
  });

  describe('TLS configuration is checked at start (exit 2, naming the variable)', () => {
    async function run(main: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
      const p = new TestProcess('p', main, { PATH: process.env.PATH, CRAWLNEST_DATA_DIR: join(cluster.dir, 'cfg'), ...env }, join(cluster.dir, `cfg-${Date.now()}.log`));
      const exit = await p.exited;
      return { code: exit.code, output: p.output() };
    }
    const secret = { CRAWLNEST_CLUSTER_SECRET: 'x'.repeat(20) };

    it('the master with a certificate but no key', async () => {
      const r = await run(MASTER_MAIN, { CRAWLNEST_GRPC_TLS_CERT: masterCert.cert });
      expect(r.code).toBe(2);
      expect(r.output).toContain('CRAWLNEST_GRPC_TLS_KEY: required when CRAWLNEST_GRPC_TLS_CERT is set');
    });

    it('the master with a certificate file that does not exist', async () => {
      const r = await run(MASTER_MAIN, { ...masterTls(), CRAWLNEST_GRPC_TLS_CERT: join(certDir, 'missing.crt') });
      expect(r.code).toBe(2);
      expect(r.output).toContain(`CRAWLNEST_GRPC_TLS_CERT: cannot read ${join(certDir, 'missing.crt')} (ENOENT)`);
    });

    it('the master with a key that does not belong to its certificate', async () => {
      const r = await run(MASTER_MAIN, { ...masterTls(), CRAWLNEST_GRPC_TLS_KEY: workerCert.key });
      expect(r.code).toBe(2);
      expect(r.output).toContain('CRAWLNEST_GRPC_TLS_KEY:');
      expect(r.output).toContain('does not match the certificate in CRAWLNEST_GRPC_TLS_CERT');
    });

    it('the worker with a certificate but no key', async () => {
      const r = await run(WORKER_MAIN, { ...secret, CRAWLNEST_GRPC_TLS_CA: ca.cert, CRAWLNEST_GRPC_TLS_CERT: workerCert.cert });
      expect(r.code).toBe(2);
      expect(r.output).toContain('CRAWLNEST_GRPC_TLS_KEY: required when CRAWLNEST_GRPC_TLS_CERT is set');
    });

    it('the worker with a CA file that does not exist', async () => {
      const r = await run(WORKER_MAIN, { ...secret, CRAWLNEST_GRPC_TLS_CA: join(certDir, 'nope.crt') });
      expect(r.code).toBe(2);
      expect(r.output).toContain('CRAWLNEST_GRPC_TLS_CA: cannot read');
    });

    it('the worker with its own certificate but no CA to check the master with', async () => {
      const r = await run(WORKER_MAIN, { ...secret, CRAWLNEST_GRPC_TLS_CERT: workerCert.cert, CRAWLNEST_GRPC_TLS_KEY: workerCert.key });
      expect(r.code).toBe(2);
      expect(r.output).toContain('CRAWLNEST_GRPC_TLS_CA: required when CRAWLNEST_GRPC_TLS_CERT/KEY are set');
    });
  });
});
