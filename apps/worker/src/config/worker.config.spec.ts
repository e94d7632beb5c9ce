import { ConfigError } from '@crawlnest/node';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkerConfig } from './worker.config';

describe('loadWorkerConfig', () => {
  it('parses the master list and labels', () => {
    const c = loadWorkerConfig({ CRAWLNEST_MASTER: 'a:1, b:2', CRAWLNEST_LABELS: 'topology.zone=eu-1,gpu=' });
    expect(c.masters).toEqual(['a:1', 'b:2']);
    expect(c.labels).toEqual([
      { key: 'topology.zone', value: 'eu-1' },
      { key: 'gpu', value: '' },
    ]);
    expect(c.workspace).toBe('./.data/worker');
    expect(c.shutdownMode).toBe('handback');
    expect(loadWorkerConfig({ CRAWLNEST_SHUTDOWN_MODE: 'cancel' }).shutdownMode).toBe('cancel');
  });

  it.each([
    ['CRAWLNEST_MASTER', 'no-port', 'expected host:port'],
    ['CRAWLNEST_MAX_RUNNERS', '0', 'expected >= 1'],
    ['CRAWLNEST_LABELS', 'novalue', 'key=value'],
    ['CRAWLNEST_SHUTDOWN_MODE', 'pause', 'expected handback or cancel'],
  ])('%s=%j is refused by name', (name, value, expected) => {
    expect(() => loadWorkerConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ [name]: value })).toThrow(new RegExp(`${name}.*${expected}`));
  });

  describe('gRPC TLS files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crawlnest-worker-config-'));
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello\n');

    it('is plaintext when no TLS variable is set', () => {
      expect(loadWorkerConfig({}).grpcTls).toBeUndefined();
    });

    it.each([
      [{ CRAWLNEST_GRPC_TLS_CA: join(dir, 'missing.crt') }, 'CRAWLNEST_GRPC_TLS_CA: cannot read'],
      [{ CRAWLNEST_GRPC_TLS_CERT: notPem }, 'CRAWLNEST_GRPC_TLS_CERT:'],
      [{ CRAWLNEST_GRPC_TLS_SERVER_NAME: 'master.internal' }, 'CRAWLNEST_GRPC_TLS_SERVER_NAME: only used with CRAWLNEST_GRPC_TLS_CA'],
      [{ CRAWLNEST_GRPC_TLS_SERVER_NAME: 'bad name!' }, 'CRAWLNEST_GRPC_TLS_SERVER_NAME: expected a host name'],
    ])('%j stops the start naming the variable', (env, named) => {
      expect(() => loadWorkerConfig(env)).toThrow(ConfigError);
      expect(() => loadWorkerConfig(env)).toThrow(named);
    });
  });
});
