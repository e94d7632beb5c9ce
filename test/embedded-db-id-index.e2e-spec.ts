import { mongo } from 'mongoose';
import { TestCluster } from './support/cluster';

const { MongoClient, ObjectId } = mongo;

/**
 * The embedded database answers `_id` reads from the collection's unique `_id` index
 * (scripts/build-ferretdb.sh, tools/ferretdb/id-index.patch.sh). Unpatched FerretDB 1.24
 * filtered with an expression SQLite did not match to that index, so every find, update and
 * delete by `_id` scanned the table. FerretDB's `explain` returns SQLite's query plan: it must
 * say SEARCH … USING INDEX, never SCAN.
 */
describe('embedded database: _id reads use the _id index', () => {
  const cluster = new TestCluster('db-id-index');
  let client: mongo.MongoClient;

  beforeAll(async () => {
    client = await MongoClient.connect(cluster.mongoUri);
  });
  afterAll(async () => {
    await client.close();
    await cluster.stop();
  });

  const plan = async (coll: string, filter: object): Promise<string> => {
    const r = await client.db(cluster.dbName).command({ explain: { find: coll, filter }, verbosity: 'queryPlanner' });
    return JSON.stringify(r.queryPlanner);
  };

  it('finds by ObjectId and by string _id through the index, also in a large collection', async () => {
    const db = client.db(cluster.dbName);
    const byOid = db.collection('id_index_oid');
    const ids = Array.from({ length: 20_000 }, () => new ObjectId());
    for (let i = 0; i < ids.length; i += 5000) await byOid.insertMany(ids.slice(i, i + 5000).map((_id, j) => ({ _id, n: i + j })));
    const byString = db.collection<{ _id: string }>('id_index_str');
    await byString.insertMany(Array.from({ length: 100 }, (_, i) => ({ _id: `k:${i}` })));

    for (const [coll, filter] of [
      ['id_index_oid', { _id: ids[ids.length - 1] }],
      ['id_index_str', { _id: 'k:99' }],
    ] as const) {
      const p = await plan(coll, filter);
      expect(p).toMatch(/USING INDEX/);
      expect(p).not.toMatch(/detail=SCAN/);
    }
    // The answers are the same as before the patch: the document, or none.
    expect(await byOid.findOne({ _id: ids[ids.length - 1] })).toMatchObject({ n: ids.length - 1 });
    expect(await byOid.findOne({ _id: new ObjectId() })).toBeNull();
    expect((await byOid.updateOne({ _id: ids[ids.length - 2] }, { $set: { u: 1 } })).modifiedCount).toBe(1);
    expect(await byOid.findOne({ _id: ids[ids.length - 2] })).toMatchObject({ u: 1 });
    expect((await byOid.deleteOne({ _id: ids[ids.length - 3] })).deletedCount).toBe(1);
    expect(await byOid.countDocuments({})).toBe(ids.length - 1);
    expect(await byString.findOne({ _id: 'k:42' })).toEqual({ _id: 'k:42' });
    // Uniqueness still holds through the same index.
    await expect(byString.insertOne({ _id: 'k:1' })).rejects.toThrow(/duplicate key/i);
  }, 120_000);
});
