import { Types } from 'mongoose';
import { bucketOfArchiveShelf } from '../archive-bucket';
import { TaskRecord } from '../task.types';
import { DbFlavor } from './db-flavor';
import { TaskArchiveRepository } from './task-archive.repository';

/**
 * A month of light traffic through two replicas' archive writers, in simulated time, against an
 * in-memory stand-in for the database that counts every collection created: how many tables a
 * month leaves (each a SQLite table on FerretDB). The reads' correctness on the real database
 * is proven by test/task-history-compaction.e2e-spec.ts; this counts.
 */
class MemDb {
  readonly colls = new Map<string, Map<string, Record<string, unknown>>>();
  created = 0;
  collection(name: string) {
    const get = (create: boolean) => {
      let c = this.colls.get(name);
      if (!c && create) {
        c = new Map();
        this.colls.set(name, c);
        this.created++;
      }
      return c;
    };
    const put = (doc: Record<string, unknown>) => {
      const c = get(true)!;
      const id = String(doc._id);
      if (c.has(id)) throw Object.assign(new Error('E11000 duplicate key'), { code: 11000 });
      c.set(id, doc);
    };
    const matches = (d: Record<string, unknown>, q: Record<string, unknown>) => Object.entries(q).every(([k, v]) => (k === '_id' ? String(d._id) === String(v) : d[k] === v));
    return {
      insertOne: async (doc: Record<string, unknown>) => put(doc),
      insertMany: async (docs: Record<string, unknown>[]) => {
        let dup: unknown = null;
        for (const d of docs) {
          try {
            put(d);
          } catch (err) {
            dup = err;
          }
        }
        if (dup) throw dup;
      },
      findOne: async (q: Record<string, unknown>) => [...(get(false)?.values() ?? [])].find((d) => matches(d, q)) ?? null,
      find: (q: Record<string, unknown>) => ({ toArray: async () => [...(get(false)?.values() ?? [])].filter((d) => matches(d, q)) }),
      deleteMany: async () => undefined,
    };
  }
  async dropCollection(name: string) {
    if (!this.colls.delete(name)) throw Object.assign(new Error('ns not found'), { codeName: 'NamespaceNotFound' });
  }
  listCollections() {
    return { toArray: async () => [...this.colls.keys()].map((name) => ({ name })) };
  }
}

const HOUR_MS = 3_600_000;
const DAYS = 30;
const PER_HOUR = 6;

function task(ms: number, i: number): TaskRecord {
  return { _id: new Types.ObjectId(Types.ObjectId.generate(Math.floor(ms / 1000))), status: 'finished', spiderId: `s${i % 3}`, nodeId: 'n1', createdAt: new Date(ms) } as unknown as TaskRecord;
}

describe('archive shelves over a month of light traffic (two replicas)', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it(`${PER_HOUR} tasks an hour for ${DAYS} days leave two tables per hour (its directory and one shelf)`, async () => {
    const db = new MemDb();
    const conn = { db } as never;
    const flavor = { isFerretDb: async () => true } as unknown as DbFlavor;
    const replicas = [new TaskArchiveRepository(conn, flavor), new TaskArchiveRepository(conn, flavor)];
    const start = Math.floor(Date.UTC(2026, 10, 1) / HOUR_MS) * HOUR_MS;
    let stored = 0;
    for (let h = 0; h < DAYS * 24; h++) {
      // Tasks end a minute after they start; the replicas take turns closing them.
      for (let k = 0; k < PER_HOUR; k++) {
        const created = start + h * HOUR_MS + k * (HOUR_MS / PER_HOUR);
        jest.setSystemTime(created + 60_000);
        await replicas[k % 2].insert(task(created, stored++), true);
      }
      // Each replica's compaction pass, every 10 minutes of the next hour.
      for (let m = 0; m < 60; m += 10) {
        jest.setSystemTime(start + (h + 1) * HOUR_MS + m * 60_000 + 1);
        for (const r of replicas) await r.compactEndedHours();
      }
    }
    jest.setSystemTime(start + (DAYS * 24 + 1) * HOUR_MS);
    for (const r of replicas) await r.compactEndedHours(1000);
    jest.setSystemTime(start + (DAYS * 24 + 2) * HOUR_MS);
    for (const r of replicas) await r.compactEndedHours(1000);

    const archive = [...db.colls.keys()].filter((n) => bucketOfArchiveShelf(n));
    const hours = new Set(archive.map((n) => bucketOfArchiveShelf(n)));
    // eslint-disable-next-line no-console
    console.log(`month of light traffic: ${stored} tasks, ${hours.size} hours, ${archive.length} archive tables left, ${db.created} created in all`);
    expect(hours.size).toBe(DAYS * 24);
    expect(archive.length).toBe(DAYS * 24 * 2);
    // Every task is still listed, once.
    const all = (await Promise.all([...hours].map((b) => replicas[0].allInBucket(b!)))).flat();
    expect(new Set(all.map((t) => String(t._id))).size).toBe(stored);
    expect(all).toHaveLength(stored);
  }, 120_000);
});
