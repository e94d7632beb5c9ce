import mongoose, { mongo } from 'mongoose';
import { Master, TestCluster } from './support/cluster';
import { HookReceiver } from './support/notify-receivers';
import { waitFor } from './support/wait';
import { DeliveryListingStore } from '../libs/notify/src/master/delivery-listing.store';
import { LISTINGS } from '../libs/notify/src/master/delivery-listing';
import { DeliveryRepository } from '../libs/notify/src/master/delivery.repository';
import type { NotifyMasterOptions } from '../libs/notify/src/master/notify-master.options';
import type { DeliveryRecord } from '../libs/notify/src';

const { MongoClient } = mongo;

/**
 * The deliveries history's listing (delivery-listing.ts) on the suite's real database: pages
 * stay newest first and complete across shelves written by several processes, replays and
 * records lost between the two inserts; retention drops whole hours; and through a real
 * master, records stored by a version without the listing are still listed after the upgrade.
 */
describe('notify history listing', () => {
  const cluster = new TestCluster('notify-history');
  let conn: mongoose.Connection;
  const records = new Map<string, DeliveryRecord>();
  const read = async (ids: string[]) => new Map(ids.filter((id) => records.has(id)).map((id) => [id, records.get(id) as DeliveryRecord]));
  const all = () => true;

  function rec(id: string, channelId = 'c-common', extra: Partial<DeliveryRecord> = {}): DeliveryRecord {
    const d = { _id: id, eventId: id, eventType: 'task.finished', ruleIds: ['r1'], channelId, channelType: 'webhook', projectId: null, spiderId: 's1', status: 'sent', attempts: 1, responseCode: 200, lastError: null, latencyMs: 1, createdAt: new Date(), nextAttemptAt: new Date(), sentAt: new Date(), events: [], ...extra } as DeliveryRecord;
    records.set(id, d);
    return d;
  }

  beforeAll(async () => {
    conn = await mongoose.createConnection(cluster.mongoUri, { dbName: `${cluster.dbName}_store` }).asPromise();
  });

  afterAll(async () => {
    await conn?.close();
    await cluster.stop();
  });

  it('two processes writing across many shelves: every page is the newest deliveries, newest first, each once', async () => {
    const a = new DeliveryListingStore(conn, LISTINGS.all, null, 4);
    const b = new DeliveryListingStore(conn, LISTINGS.all, null, 4);
    const order: string[] = [];
    const t0 = Date.now() - 60_000;
    // 20 batches of 3, alternating processes, each a millisecond apart: 8 shelves of 4 per process.
    for (let i = 0; i < 20; i++) {
      const ds = [0, 1, 2].map((k) => rec(`p${i}-${k}`, i === 2 ? 'c-rare' : 'c-common'));
      await (i % 2 ? b : a).add(ds, new Date(t0 + i * 10));
      order.unshift(...ds.map((d) => d._id).reverse());
    }
    // A replayed write (a delivery written again by the other process, later) lists it once, where it was written last.
    await b.add([records.get('p18-0') as DeliveryRecord], new Date(t0 + 195));
    order.splice(order.indexOf('p18-0'), 1);
    order.unshift('p18-0');
    for (const limit of [3, 9, 30, 60, 100]) {
      const page = (await a.page({}, limit, undefined, read, all)).map((d) => d._id);
      expect(new Set(page).size).toBe(page.length);
      expect(new Set(page)).toEqual(new Set(order.slice(0, limit)));
    }
    // The rare channel is on one shelf: found behind many summarized shelves without a match.
    expect((await b.page({ channelId: 'c-rare' }, 10, undefined, read, all)).map((d) => d._id).sort()).toEqual(['p2-0', 'p2-1', 'p2-2']);
    // `after` keeps the deliveries created later; `accept` (status and the like) is applied to the records.
    records.get('p19-1')!.status = 'failed';
    expect((await a.page({}, 10, undefined, read, (d) => d.status === 'failed')).map((d) => d._id)).toEqual(['p19-1']);
    const mid = new Date(t0 + 175);
    for (const id of order.slice(0, 6)) records.get(id)!.createdAt = new Date(t0 + 180);
    expect(new Set((await a.page({}, 50, mid, read, (d) => d.createdAt > mid)).map((d) => d._id))).toEqual(new Set(order.slice(0, 6)));
  });

  it('an entry whose record was never written (a crash between the inserts) is left out, and the page fills from older ones', async () => {
    const s = new DeliveryListingStore(conn, LISTINGS.failed, null, 4);
    const t0 = Date.now() - 30_000;
    await s.add([rec('f-old-1'), rec('f-old-2')], new Date(t0));
    const lost = { ...rec('f-lost') };
    records.delete('f-lost');
    await s.add([lost, rec('f-new')], new Date(t0 + 10));
    const page = (await s.page({}, 3, undefined, read, all)).map((d) => d._id);
    expect(page[0]).toBe('f-new');
    expect(page.slice(1).sort()).toEqual(['f-old-1', 'f-old-2']);
  });

  it('retention drops whole hours (their shelves and directory); younger hours stay listed', async () => {
    const db = conn.db!;
    const s = new DeliveryListingStore(conn, LISTINGS.all, null, 2);
    const old = Date.now() - 5 * 3_600_000;
    await s.add([rec('old-1'), rec('old-2'), rec('old-3')], new Date(old));
    const namesBefore = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    const oldHour = new Date(old).toISOString().slice(0, 13).replace(/[-T]/g, '');
    expect(namesBefore.filter((n) => n.startsWith(`notify_history_${oldHour}`)).length).toBe(3); // the hour and two shelves
    expect(await s.dropBefore(new Date(Date.now() - 2 * 3_600_000))).toBeGreaterThanOrEqual(1);
    const namesAfter = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(namesAfter.filter((n) => n.startsWith(`notify_history_${oldHour}`))).toEqual([]);
    const page = (await s.page({}, 100, undefined, read, all)).map((d) => d._id);
    expect(page).not.toContain('old-1');
    expect(page).toContain('p19-2'); // the first test's deliveries, this hour
    // A second pass (another replica's) finds nothing more to drop.
    expect(await s.dropBefore(new Date(Date.now() - 2 * 3_600_000))).toBe(0);
  });

  it('retention deletes the settled records of the hours it drops, by id; a pending one stays, and older unlisted records go by the scan', async () => {
    const own = await mongoose.createConnection(cluster.mongoUri, { dbName: `${cluster.dbName}_prune` }).asPromise();
    try {
      const coll = own.db!.collection<DeliveryRecord>('notify_deliveries');
      // Stored before the listing existed: the pass finds these by the records' filter.
      const old = new Date(Date.now() - 40 * 86_400_000);
      await coll.insertMany([{ ...rec('legacy-sent'), createdAt: old }, { ...rec('legacy-pending'), createdAt: old, status: 'pending' }] as never[]);
      const repo = new DeliveryRepository(own, { retentionDays: 30 } as NotifyMasterOptions);
      await repo.recordMany([rec('r-sent'), rec('r-failed', 'c-common', { status: 'failed' }), rec('r-pending', 'c-common', { status: 'pending' })]);
      expect(await coll.countDocuments()).toBe(5);
      // Nothing is old enough for the listing; the legacy sent one is.
      expect(await repo.pruneBefore(new Date(Date.now() - 30 * 86_400_000))).toBe(1);
      expect((await coll.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id).sort()).toEqual(['legacy-pending', 'r-failed', 'r-pending', 'r-sent']);
      // Everything is: the listed hours go, with their settled records; the pending ones stay.
      expect(await repo.pruneBefore(new Date(Date.now() + 2 * 3_600_000))).toBe(2);
      expect((await coll.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id).sort()).toEqual(['legacy-pending', 'r-pending']);
      const names = (await own.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
      expect(names.filter((n) => /^notify_(history|failed)_\d{10}/.test(n))).toEqual([]);
      // The pending record from before the listing is still read from the records (r-pending too: made here a moment before the listing began).
      expect((await repo.list({}, 10)).map((d) => d._id)).toContain('legacy-pending');
      expect((await repo.list({ status: 'sent' }, 10)).map((d) => d._id)).toEqual([]);
    } finally {
      await own.close();
    }
  });

  describe('through a master, after an upgrade', () => {
    let m: Master;
    let hooks: HookReceiver;
    const client = () => new MongoClient(cluster.mongoUri);

    afterAll(async () => {
      await hooks?.close();
    });

    it('records stored before the listing existed are still listed, after the new ones and by their filters', async () => {
      hooks = await HookReceiver.start();
      const c = client();
      await c.connect();
      try {
        // What a version without the listing stored: records only (events on each), two days old.
        const at = new Date(Date.now() - 2 * 86_400_000);
        const stored = ['old-a', 'old-b', 'old-c'].map((id, i) => ({ ...rec(id, i === 0 ? '6560000000000000000000c1' : '6560000000000000000000c2'), createdAt: new Date(at.getTime() + i * 1000), status: i === 2 ? 'failed' : 'sent' }));
        await c.db(cluster.dbName).collection('notify_deliveries').insertMany(stored as never[]);
        m = await cluster.startMaster();
        const ids = async (q = '') => ((await m.api.get(`/api/notifications/deliveries${q}`)).body as { id: string }[]).map((d) => d.id);
        expect(await ids()).toEqual(['old-c', 'old-b', 'old-a']);
        // The first delivery of the new version: a channel test.
        hooks.script('/up', [{ status: 200 }]);
        const ch = (await m.api.post('/api/notifications/channels', { name: 'up', type: 'webhook', config: { url: hooks.url('/up') } })).body.id as string;
        expect((await m.api.post(`/api/notifications/channels/${ch}/test`, {})).status).toBeLessThan(300);
        const now = await waitFor('the test delivery listed', async () => {
          const list = await ids();
          return list.length === 4 ? list : null;
        });
        expect(now.slice(1)).toEqual(['old-c', 'old-b', 'old-a']);
        expect(await ids(`?channelId=${ch}`)).toEqual([now[0]]);
        expect(await ids('?channelId=6560000000000000000000c1')).toEqual(['old-a']);
        expect(await ids('?status=failed')).toEqual(['old-c']);
        expect(await ids('?limit=2')).toEqual(now.slice(0, 2));
        // A restarted master (a new shelf stamp) lists what the first one wrote, then its own.
        await cluster.restartMaster(m, 'SIGTERM');
        hooks.script('/up', [{ status: 200 }]);
        expect((await m.api.post(`/api/notifications/channels/${ch}/test`, {})).status).toBeLessThan(300);
        const after = await waitFor('the second test delivery listed', async () => {
          const list = await ids(`?channelId=${ch}`);
          return list.length === 2 ? list : null;
        });
        expect(after[1]).toBe(now[0]);
      } finally {
        await c.close();
      }
    });
  });
});
