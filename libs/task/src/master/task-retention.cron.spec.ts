import { Types } from 'mongoose';
import { bucketOfTime } from '../archive-bucket';
import { emptyCounts } from '../task-counts';
import { TaskRecord } from '../task.types';
import { ClaimRepository } from './claim.repository';
import { OpenTasksSnapshot } from './open-tasks.snapshot';
import { TaskArchiveRepository } from './task-archive.repository';
import { TaskCountersService } from './task-counters.service';
import { TaskLogRepository } from './task-log.repository';
import { TaskMasterOptions } from './task-master.options';
import { TaskRetentionCron } from './task-retention.cron';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('TaskRetentionCron.runOnce', () => {
  it('drops every expired hour, listing the collections once per pass, and paces itself by the work each hour took', async () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    const hours = [40, 39, 38, 2].map((d) => bucketOfTime(now - d * DAY));
    const tasksOf = (h: string) => [{ _id: new Types.ObjectId(), status: 'finished', spiderId: 's', nodeId: 'n', bucket: h }] as unknown as TaskRecord[];
    const dropped: { hour: string; listed?: string[] }[] = [];
    let listings = 0;
    const archive = {
      buckets: async () => [...hours].sort().reverse(),
      findInBucket: async (h: string) => tasksOf(h),
      collectionNames: async () => {
        listings++;
        return ['task_archive_x'];
      },
      dropBucket: async (hour: string, listed?: string[]) => {
        dropped.push({ hour, listed });
        await new Promise((r) => setTimeout(r, 20)); // the hour's drop takes 20 ms
      },
    } as unknown as TaskArchiveRepository;
    const counters = { totals: async () => emptyCounts(), recordPurged: async () => undefined } as unknown as TaskCountersService;
    const open = { get: async () => ({ tasks: [], at: Date.now() }) } as unknown as OpenTasksSnapshot;
    const opts = { retention: { days: 30, max: 0, intervalMs: 60_000 } } as TaskMasterOptions;
    const cron = new TaskRetentionCron(archive, {} as TaskLogRepository, counters, open, {} as ClaimRepository, opts);

    const start = Date.now();
    const r = await cron.runOnce(now);

    expect(r).toEqual({ hoursDropped: 3, tasksRemoved: 3 });
    expect(dropped.map((d) => d.hour)).toEqual(hours.slice(0, 3).sort());
    expect(listings).toBe(1);
    expect(dropped.every((d) => d.listed?.[0] === 'task_archive_x')).toBe(true);
    // Three hours of 20 ms work each, each followed by a pause of twice that.
    expect(Date.now() - start).toBeGreaterThanOrEqual(3 * 3 * 20 - 10);
  });
});
