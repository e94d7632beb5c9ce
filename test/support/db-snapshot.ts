import { createHash } from 'node:crypto';
import { Connection, createConnection, mongo } from 'mongoose';

/**
 * Fields that change with no request at all, so a snapshot leaves them out. Minimal on
 * purpose: everything else must stay byte-for-byte the same across a run of bad requests.
 * - nodes.lastHeartbeatAt: rewritten by every heartbeat of the live worker (about 1/s).
 * - nodes.resources: CPU, memory and free disk reported in that same heartbeat.
 * - replica_leases.renewedAt/nodes: each replica's lease, renewed about once a second.
 * - node_history.samples/writtenAt: a load sample per node every 30 s slot, from heartbeats.
 */
export const VOLATILE_FIELDS: Record<string, readonly string[]> = {
  nodes: ['lastHeartbeatAt', 'resources'],
  // Since the writer split (docs/consistency.md) heartbeats land in node_status, not nodes.
  node_status: ['lastHeartbeatAt', 'resources'],
  // Each replica's lease: renewed every node timeout / 4 with its nodes' live heartbeat state.
  replica_leases: ['renewedAt', 'nodes'],
  // Each node's load history: a sample per 30 s slot, taken from its heartbeats.
  node_history: ['samples', 'writtenAt'],
};

/** Every collection of one database, read whole, as a canonical (key-sorted) JSON string. */
export class DbSnapshotter {
  private constructor(private readonly conn: Connection) {}

  static async open(uri: string, dbName: string): Promise<DbSnapshotter> {
    return new DbSnapshotter(await createConnection(uri, { dbName }).asPromise());
  }

  async snapshot(): Promise<string> {
    const db = this.conn.db;
    if (!db) throw new Error('snapshot: connection has no database');
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
    const out: Record<string, unknown[]> = {};
    for (const name of names) {
      const docs = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
      const volatile = VOLATILE_FIELDS[name] ?? [];
      out[name] = docs.map((d) => {
        const copy: Record<string, unknown> = { ...d };
        for (const f of volatile) delete copy[f];
        return canonical(copy);
      });
    }
    return JSON.stringify(out, null, 1);
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}

/** Plain JSON with sorted keys; BSON types get a tagged, stable text form. */
function canonical(v: unknown): unknown {
  if (v === null || v === undefined) return v ?? null;
  if (v instanceof Date) return { $date: v.toISOString() };
  if (v instanceof mongo.ObjectId) return { $oid: v.toHexString() };
  // Blob chunks: their digest says whether they changed without bloating the diff.
  if (v instanceof mongo.Binary) return { $binary: createHash('sha256').update(v.buffer).digest('hex'), bytes: v.length() };
  if (Buffer.isBuffer(v)) return { $buffer: createHash('sha256').update(v).digest('hex'), bytes: v.length };
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o._bsontype === 'string') return { [`$${o._bsontype}`]: String(o) };
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, canonical(o[k])]));
  }
  return v;
}
