import mongoose from 'mongoose';
import { Benchmark, Figure, percentile, registerLibPaths } from './bench-kit';
import { TestCluster } from '../test/support/cluster';
import type { DeliveryRecord, NotifyEvent } from '../libs/notify/src';
import type { NotifyMasterOptions } from '../libs/notify/src/master/notify-master.options';

/**
 * `npm run bench notify-history`: the deliveries history page (GET /api/notifications/deliveries,
 * the dashboard's 100 newest, unfiltered, by channel and by status) as the history grows, beside
 * the same reads on an empty history measured first in this run.
 *
 * Seeded the way the notifier writes it in a burst: tasks ending back to back, each fanned out to
 * ten webhook channels, recorded by DeliveryRepository.recordMany in batches of a thousand (the
 * notifier's write batcher), so records and their listing are stored as in production.
 * There is no goal in the issue; the baseline is the same page on an empty history, and the
 * figure before the listing (delivery-listing.ts) was 8.5-10.6 s at 100,000.
 */
const SIZES = (process.env.BENCH_NOTIFY_HISTORY_SIZES ?? '20000,100000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const CHANNELS = 10;
/** Channel and rule ids are ObjectIds (the API checks them). */
const channelId = (c: number) => `6560000000000000000000c${c}`;
const ruleId = (c: number) => `6560000000000000000000a${c}`;
const SAMPLES = Number(process.env.BENCH_NOTIFY_HISTORY_SAMPLES ?? 3);
const PAGE = 100;

function event(task: number, at: Date): NotifyEvent {
  const id = `6560a1b2c3d4${task.toString(16).padStart(12, '0')}`;
  return {
    id: `task:${id}:1:task.finished`,
    type: 'task.finished' as const,
    at: at.toISOString(),
    projectId: null,
    task: { id, spiderId: 'bench-spider', spiderName: 'shop', status: 'finished', nodeId: 'n1', nodeName: 'n1', attempt: 1, exitCode: 0, error: null, durationMs: 1200, resultCount: 40, resultErrors: 0, createdAt: at.toISOString(), startedAt: at.toISOString(), finishedAt: at.toISOString(), scheduleId: null },
    links: { task: `http://127.0.0.1:8080/tasks/${id}`, spider: 'http://127.0.0.1:8080/spiders/bench-spider' },
  };
}

/** Ten deliveries of one task's event, settled at their first attempt, as the notifier records them (recordMany stores them through slimForStorage). */
function deliveriesOf(task: number, at: Date): DeliveryRecord[] {
  const ev = event(task, at);
  // One in a hundred tasks' deliveries failed: the "failed" filter has something to find.
  const failed = task % 100 === 0;
  return Array.from({ length: CHANNELS }, (_, c) => ({
    _id: `${ev.id}:${channelId(c)}`,
    eventId: ev.id,
    eventType: 'task.finished' as const,
    ruleIds: [ruleId(c)],
    channelId: channelId(c),
    channelType: 'webhook' as const,
    projectId: null,
    spiderId: 'bench-spider',
    status: failed ? ('failed' as const) : ('sent' as const),
    attempts: 1,
    maxAttempts: 5,
    responseCode: failed ? 500 : 200,
    lastError: failed ? 'HTTP 500' : null,
    latencyMs: 4,
    createdAt: at,
    nextAttemptAt: at,
    sentAt: at,
    events: [ev],
  }));
}

const bench: Benchmark = {
  name: `notify-history: the deliveries page (${PAGE} newest; unfiltered, by channel, failed) at ${SIZES.map((n) => n.toLocaleString('en-US')).join(' and ')} deliveries (${CHANNELS} channels per task, one burst)`,
  async run(): Promise<Figure[]> {
    const c = new TestCluster('bench-notify-history');
    const m = await c.startMaster();
    const conn = await mongoose.createConnection(c.mongoUri, { dbName: c.dbName }).asPromise();
    registerLibPaths();
    const { DeliveryRepository } = await import('../libs/notify/src/master/delivery.repository');
    const repo = new DeliveryRepository(conn, { retentionDays: 30 } as NotifyMasterOptions);
    const figures: Figure[] = [];
    try {
      const reads = { unfiltered: `?limit=${PAGE}`, 'by channel': `?channelId=${channelId(3)}&limit=${PAGE}`, failed: `?status=failed&limit=${PAGE}` };
      const time = async (q: string) => {
        const ms: number[] = [];
        for (let i = 0; i < SAMPLES; i++) {
          const t0 = Date.now();
          const r = await m.api.get(`/api/notifications/deliveries${q}`);
          ms.push(Date.now() - t0);
          if (r.status !== 200) throw new Error(`GET deliveries${q}: HTTP ${r.status}`);
        }
        return percentile(ms, 50);
      };
      const empty: Record<string, number> = {};
      for (const [name, q] of Object.entries(reads)) empty[name] = await time(q);
      let tasks = 0;
      const t0 = Date.now();
      for (const size of SIZES) {
        const seed0 = Date.now();
        for (; tasks * CHANNELS < size; tasks += 100) {
          const batch = Array.from({ length: 100 }, (_, i) => deliveriesOf(tasks + i, new Date(t0 - 3_600_000 + (tasks + i) * 10))).flat();
          await repo.recordMany(batch);
        }
        process.stdout.write(`  (${(tasks * CHANNELS).toLocaleString('en-US')} deliveries seeded in ${Date.now() - seed0} ms)\n`);
        for (const [name, q] of Object.entries(reads)) {
          const value = await time(q);
          process.stdout.write(`  (${(tasks * CHANNELS).toLocaleString('en-US')} deliveries, ${name}: ${value} ms)\n`);
          figures.push({ name: `deliveries page, ${name}, ${(tasks * CHANNELS).toLocaleString('en-US')} deliveries (p50 of ${SAMPLES})`, value, unit: 'ms', baseline: { name: 'empty history', value: empty[name] } });
        }
      }
      // The hourly retention pass with nothing old enough (the usual case), beside the records' scan it replaced (a deleteMany that matches nothing), then the pass that drops everything.
      const t1 = Date.now();
      await repo.pruneBefore(new Date(t0 - 2 * 3_600_000));
      const idle = Date.now() - t1;
      const t2 = Date.now();
      await conn.db!.collection('notify_deliveries').deleteMany({ createdAt: { $lt: new Date(t0 - 2 * 3_600_000) }, status: { $in: ['sent', 'failed'] } });
      const scan = Date.now() - t2;
      const t3 = Date.now();
      const removed = await repo.pruneBefore(new Date(Date.now() + 2 * 3_600_000));
      const all = Date.now() - t3;
      const n = (tasks * CHANNELS).toLocaleString('en-US');
      process.stdout.write(`  (retention at ${n} deliveries: a pass with nothing to drop ${idle} ms, the records' scan ${scan} ms; dropping all ${removed.toLocaleString('en-US')} ${all} ms)\n`);
      figures.push({ name: `retention pass with nothing to drop, ${n} deliveries`, value: idle, unit: 'ms', baseline: { name: 'the scan of the records it replaced', value: scan } });
      figures.push({ name: `retention pass dropping all ${n} deliveries`, value: all, unit: 'ms' });
      return figures;
    } finally {
      await conn.close();
      await c.stop();
    }
  },
};

export default bench;
