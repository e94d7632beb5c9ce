import { ConfigError } from '@crawlnest/node';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMasterConfig } from './master.config';

describe('loadMasterConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadMasterConfig({});
    expect(c).toMatchObject({ httpPort: 8080, grpcPort: 9666, dataDir: './.data', dbName: 'crawlnest', dispatchPollMs: 500 });
    expect(c.mongoUri).toBeUndefined();
  });

  it('serves no unauthenticated metrics port unless CRAWLNEST_METRICS_PORT is set, and binds it to loopback by default', () => {
    expect(loadMasterConfig({})).toMatchObject({ metricsPort: undefined, metricsHost: '127.0.0.1' });
    expect(loadMasterConfig({ CRAWLNEST_METRICS_PORT: '9100' })).toMatchObject({ metricsPort: 9100, metricsHost: '127.0.0.1' });
  });

  it('treats an empty variable as unset', () => {
    expect(loadMasterConfig({ CRAWLNEST_HTTP_PORT: '' }).httpPort).toBe(8080);
  });

  it.each([
    ['CRAWLNEST_HTTP_PORT', 'abc', 'expected an integer'],
    ['CRAWLNEST_HTTP_PORT', '70000', 'expected <= 65535'],
    ['CRAWLNEST_GRPC_PORT', '0', 'expected >= 1'],
    ['CRAWLNEST_MONGO_URI', 'http://x', 'expected a mongodb://'],
    ['CRAWLNEST_API_TOKEN', 'short', 'at least 16 characters'],
    ['CRAWLNEST_NODE_TIMEOUT_MS', '-5', 'expected an integer'],
    ['CRAWLNEST_DB_NAME', 'bad/name', 'expected letters'],
    ['CRAWLNEST_METRICS_PORT', '0', 'expected >= 1'],
  ])('%s=%j stops the start with a message naming it', (name, value, expected) => {
    let err: unknown;
    try {
      loadMasterConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(name);
    expect((err as Error).message).toContain(expected);
  });

  describe('gRPC TLS files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crawlnest-master-config-'));
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello\n');

    it('is plaintext when no TLS variable is set', () => {
      expect(loadMasterConfig({}).grpcTls).toBeUndefined();
    });

    it.each([
      [{ CRAWLNEST_GRPC_TLS_CERT: join(dir, 'missing.crt') }, 'CRAWLNEST_GRPC_TLS_CERT: cannot read', 'ENOENT'],
      [{ CRAWLNEST_GRPC_TLS_KEY: notPem }, 'CRAWLNEST_GRPC_TLS_KEY:', 'is not a PEM private key'],
      [{ CRAWLNEST_GRPC_TLS_CA: notPem }, 'CRAWLNEST_GRPC_TLS_CA:', 'is not a PEM certificate'],
    ])('%j stops the start naming the variable', (env, named, expected) => {
      expect(() => loadMasterConfig(env)).toThrow(ConfigError);
      expect(() => loadMasterConfig(env)).toThrow(named);
      expect(() => loadMasterConfig(env)).toThrow(expected);
    });
  });

  it('refuses an orphan grace too short for the fence, naming the variables, and accepts fence 0 (off)', () => {
    const short = { CRAWLNEST_ORPHAN_GRACE_MS: '6000', CRAWLNEST_NODE_TIMEOUT_MS: '2500' };
    expect(() => loadMasterConfig({ ...short, CRAWLNEST_FENCE_MS: '5000' })).toThrow(ConfigError);
    expect(() => loadMasterConfig({ ...short, CRAWLNEST_FENCE_MS: '5000' })).toThrow(/CRAWLNEST_ORPHAN_GRACE_MS.*CRAWLNEST_FENCE_MS.*CRAWLNEST_NODE_TIMEOUT_MS/);
    // Unset: derived from the grace (here too short for any fence), refused the same way.
    expect(() => loadMasterConfig({ CRAWLNEST_ORPHAN_GRACE_MS: '1500' })).toThrow(/CRAWLNEST_FENCE_MS: unset, so derived from CRAWLNEST_ORPHAN_GRACE_MS/);
    expect(loadMasterConfig({ ...short, CRAWLNEST_FENCE_MS: '0' }).fenceMs).toBe(0);
    expect(loadMasterConfig({}).fenceMs).toBe(5000);
    // A longer grace lets the fence ride out longer master outages.
    expect(loadMasterConfig({ CRAWLNEST_ORPHAN_GRACE_MS: '20000' }).fenceMs).toBe(15_000);
  });
});
