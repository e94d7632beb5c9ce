import { bucketEndMs, bucketFloorId, bucketOfCollection, bucketOfId, bucketOfLogTable, bucketOfTime, bucketStartMs, logTableCollection, newestFirst } from './archive-bucket';

describe('archive buckets', () => {
  it.each([
    ['2026-11-29T21:00:00.000Z', '2026112921'],
    ['2026-11-29T21:59:59.999Z', '2026112921'],
    ['2026-01-01T00:00:00.000Z', '2026010100'],
  ])('time %s is in bucket %s', (iso, bucket) => {
    expect(bucketOfTime(Date.parse(iso))).toBe(bucket);
  });

  it('a task id is in the bucket of its ObjectId time', () => {
    const sec = Math.floor(Date.parse('2026-11-29T21:30:00Z') / 1000);
    expect(bucketOfId(sec.toString(16) + 'aabbccddeeff001122334455'.slice(0, 16))).toBe('2026112921');
  });

  it('start and end bound the hour', () => {
    expect(new Date(bucketStartMs('2026112921')).toISOString()).toBe('2026-11-29T21:00:00.000Z');
    expect(new Date(bucketEndMs('2026112921')).toISOString()).toBe('2026-11-29T22:00:00.000Z');
  });

  it('the floor id sorts after every id of older buckets and before every id of the bucket', () => {
    const floor = bucketFloorId('2026112921');
    const older = (Math.floor(Date.parse('2026-11-29T20:59:59Z') / 1000).toString(16) + 'ffffffffffffffff');
    const inside = (Math.floor(Date.parse('2026-11-29T21:00:00Z') / 1000).toString(16) + '0000000000000001');
    expect(older < floor).toBe(true);
    expect(inside > floor).toBe(true);
  });

  it.each([
    ['task_archive_2026112921', 'task_archive_', '2026112921'],
    ['task_archive', 'task_archive_', null],
    ['task_archive_20261129', 'task_archive_', null],
    ['task_logs_2026112921', 'task_archive_', null],
  ])('collection %s with prefix %s is bucket %s', (name, prefix, bucket) => {
    expect(bucketOfCollection(name, prefix)).toBe(bucket);
  });

  it('newestFirst sorts by id, descending', () => {
    const rows = [{ _id: '6a0000000000000000000001' }, { _id: '6a0000000000000000000003' }, { _id: '6a0000000000000000000002' }];
    expect(rows.sort(newestFirst).map((r) => r._id.slice(-1))).toEqual(['3', '2', '1']);
  });
});

describe('log tables', () => {
  it('name their hour, and nothing else parses as one', () => {
    expect(logTableCollection('2026112921', 'a1b2c3')).toBe('task_logs_2026112921_a1b2c3');
    expect(bucketOfLogTable('task_logs_2026112921_a1b2c3')).toBe('2026112921');
    expect(bucketOfLogTable('task_logs_2026112921')).toBeNull();
    expect(bucketOfLogTable('task_archive_2026112921_a1')).toBeNull();
    expect(bucketOfLogTable('task_logs_20261129_a1')).toBeNull();
  });
});
