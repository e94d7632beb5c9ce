import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProcAddress, DevRun, listeningSockets } from './support/dev-run';
import { freePort } from './support/wait';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

describe('npm run dev binds to loopback', () => {
  let dir: string;
  let run: DevRun | undefined;

  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cn-dev-lo-'))));
  afterEach(() => run?.killTree());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes /proc/net/tcp addresses', () => {
    expect(decodeProcAddress('0100007F:1F90')).toEqual({ address: '127.0.0.1', port: 8080 });
    expect(decodeProcAddress('00000000:25A2')).toEqual({ address: '0.0.0.0', port: 9634 });
    expect(decodeProcAddress('00000000000000000000000000000000:1F90')).toEqual({ address: '::', port: 8080 });
    expect(decodeProcAddress('00000000000000000000000001000000:1F90')).toEqual({ address: '::1', port: 8080 });
    expect(decodeProcAddress('0000000000000000FFFF00000100007F:1F90')).toEqual({ address: '::ffff:127.0.0.1', port: 8080 });
  });

  it('with no host settings, every listening socket of the dev run (REST, gRPC, FerretDB) is on 127.0.0.1', async () => {
    const base: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CRAWLNEST_') && !k.startsWith('npm_')) base[k] = v;
    const httpPort = await freePort();
    const grpcPort = await freePort();
    // No CRAWLNEST_HTTP_HOST / CRAWLNEST_GRPC_HOST: what a developer gets from a plain `npm run dev`.
    run = new DevRun({
      ...base,
      CRAWLNEST_DATA_DIR: join(dir, 'data'),
      CRAWLNEST_HTTP_PORT: String(httpPort),
      CRAWLNEST_GRPC_PORT: String(grpcPort),
      CRAWLNEST_LOG_FORMAT: 'json',
      CRAWLNEST_DRAIN_MS: '2000',
    });
    const procs = await run.ready();
    const sockets = listeningSockets(procs.map((p) => p.pid));
    const ports = new Set(sockets.map((s) => s.port));
    expect(ports).toContain(httpPort);
    expect(ports).toContain(grpcPort);
    const exposed = sockets.filter((s) => !LOOPBACK.has(s.address)).map((s) => `${s.address}:${s.port} (pid ${s.pid})`);
    expect(exposed).toEqual([]);
    expect(run.output).toContain(`http://127.0.0.1:${httpPort}/api`);
  }, 240_000); // dev mode builds what changed first (minutes on a busy machine)
});
