import { mongo } from 'mongoose';
import { Benchmark, Figure, percentile } from './bench-kit';

/**
 * `npm run bench db-id-index`: reads, updates and deletes by `_id` on the embedded database
 * cost the same wherever the document sits in its collection (scripts/build-ferretdb.sh's
 * patch makes FerretDB's `_id` filter use the `_id` index). 100k documents of ~300 bytes are
 * inserted as one burst (batches of 1000); the newest are addressed (the worst place for a
 * scan that stops at its match). Baseline in the same run: the same reads written as
 * `{_id: {$eq: id}}`, which FerretDB does not hand to SQLite (a scan in FerretDB itself, what
 * any filter but a bare `_id` costs). Unpatched, a bare `_id` read was a scan inside SQLite
 * that stopped at its match: ~280 ms for the newest of 100k (docs/dispatch.md), not measured
 * here because it needs the unpatched binary.
 */
const DOCS = Number(process.env.BENCH_ID_DOCS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_ID_SAMPLES ?? 50);
const BASELINE_SAMPLES = Number(process.env.BENCH_ID_BASELINE_SAMPLES ?? 5);

async function timed(n: number, f: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await f(i);
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

const bench: Benchmark = {
  name: `_id reads on the embedded database: ${DOCS} documents, the newest addressed`,
  async run(): Promise<Figure[]> {
    const client = await mongo.MongoClient.connect(process.env.CRAWLNEST_E2E_MONGO_URI as string);
    try {
      const coll = client.db(`bench_id_index_${Date.now() % 100000}`).collection<{ _id: mongo.ObjectId; n: number; pad: string; u?: number }>('docs');
      const ids: mongo.ObjectId[] = [];
      for (let b = 0; b < DOCS; b += 1000) {
        const docs = Array.from({ length: Math.min(1000, DOCS - b) }, (_, i) => ({ _id: new mongo.ObjectId(), n: b + i, pad: 'x'.repeat(250) }));
        ids.push(...docs.map((d) => d._id));
        await coll.insertMany(docs);
      }
      const newest = (i: number) => ids[ids.length - 1 - i];
      const find = await timed(SAMPLES, (i) => coll.findOne({ _id: newest(i) }));
      const findOld = await timed(BASELINE_SAMPLES, (i) => coll.findOne({ _id: { $eq: newest(i) } }));
      const update = await timed(SAMPLES, (i) => coll.updateOne({ _id: newest(i) }, { $set: { u: 1 } }));
      const updateOld = await timed(BASELINE_SAMPLES, (i) => coll.updateOne({ _id: { $eq: newest(SAMPLES + i) } }, { $set: { u: 1 } }));
      const del = await timed(SAMPLES, (i) => coll.deleteOne({ _id: newest(2 * SAMPLES + i) }));
      const delOld = await timed(BASELINE_SAMPLES, (i) => coll.deleteOne({ _id: { $eq: newest(3 * SAMPLES + i) } }));
      const fig = (name: string, v: number[], base: number[]): Figure[] => [
        { name: `${name} p50`, value: percentile(v, 50), unit: 'ms', baseline: { name: 'as a scan', value: percentile(base, 50) } },
        { name: `${name} p99`, value: percentile(v, 99), unit: 'ms', goal: '<= 10 ms' },
      ];
      return [...fig('findOne by _id', find, findOld), ...fig('updateOne by _id', update, updateOld), ...fig('deleteOne by _id', del, delOld)];
    } finally {
      await client.close();
    }
  },
};

export default bench;
