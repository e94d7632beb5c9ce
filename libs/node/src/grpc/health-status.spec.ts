import * as protoLoader from '@grpc/proto-loader';
import { protoLoaderOptions, protoPaths } from './proto-files';
import { serviceNames, servingStatus } from './health-status';

describe('servingStatus', () => {
  it.each([
    [{ started: true, stopping: false, databaseUp: true }, 'SERVING'],
    [{ started: false, stopping: false, databaseUp: true }, 'NOT_SERVING'],
    [{ started: true, stopping: true, databaseUp: true }, 'NOT_SERVING'],
    [{ started: true, stopping: false, databaseUp: false }, 'NOT_SERVING'],
  ])('%j → %s', (state, expected) => {
    expect(servingStatus(state)).toBe(expected);
  });
});

describe('serviceNames', () => {
  it('lists exactly the services of our protos', () => {
    const def = protoLoader.loadSync(protoPaths(), protoLoaderOptions());
    expect(serviceNames(def).sort()).toEqual([
      'crawlnest.node.v1.NodeService',
      'crawlnest.results.v1.ResultService',
      'crawlnest.sync.v1.SyncService',
      'crawlnest.task.v1.TaskService',
    ]);
  });
});
