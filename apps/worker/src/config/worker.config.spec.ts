import { ConfigError } from '@crawlnest/node';
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
  });

  it.each([
    ['CRAWLNEST_MASTER', 'no-port', 'expected host:port'],
    ['CRAWLNEST_MAX_RUNNERS', '0', 'expected >= 1'],
    ['CRAWLNEST_LABELS', 'novalue', 'key=value'],
  ])('%s=%j is refused by name', (name, value, expected) => {
    expect(() => loadWorkerConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ [name]: value })).toThrow(new RegExp(`${name}.*${expected}`));
  });
});
