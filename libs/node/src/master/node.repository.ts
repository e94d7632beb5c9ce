import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { NODE_MODEL } from '../node.schema';
import { Label, NodeRecord } from '../node.types';

export type Registration = {
  key: string;
  name: string;
  hostname: string;
  ip: string;
  labels: Label[];
  maxRunners: number;
  version: string;
  runtimes: { name: string; version: string }[];
};

export type HeartbeatState = {
  taskReady: boolean;
  runningTasks: number;
  lastHeartbeatAt: Date;
  resources: { cpuPercent: number; memoryBytes: number; diskFreeBytes: number } | null;
};

/** The only class that touches the nodes collection. */
@Injectable()
export class NodeRepository {
  private writes = 0;

  constructor(@InjectModel(NODE_MODEL) private readonly model: Model<NodeRecord>) {}

  /** Write commands sent to the nodes collection since start: the cost heartbeats must keep low. */
  get writeCount(): number {
    return this.writes;
  }

  /**
   * Upsert by the worker's persistent key: a restarted worker updates its node.
   * Labels and maxRunners from the worker only seed a new node; once stored they are
   * edited through the API, which the worker's next start must not undo.
   */
  async register(r: Registration): Promise<NodeRecord> {
    const now = new Date();
    const existing = await this.model.findOne({ key: r.key }).lean<NodeRecord>();
    if (existing) {
      this.writes++;
      await this.model.updateOne(
        { _id: existing._id },
        { $set: { name: r.name, hostname: r.hostname, ip: r.ip, version: r.version, runtimes: r.runtimes } },
      );
      return { ...existing, name: r.name, hostname: r.hostname, ip: r.ip, version: r.version, runtimes: r.runtimes };
    }
    try {
      this.writes++;
      const created = await this.model.create({ ...r, registeredAt: now, status: 'offline' });
      return created.toObject<NodeRecord>();
    } catch (err) {
      // Two registrations of one key raced; the unique index kept one node. Use it.
      const winner = await this.model.findOne({ key: r.key }).lean<NodeRecord>();
      if (winner) return winner;
      throw err;
    }
  }

  async markOnline(id: string, sessionId: string, replica: string, hb: HeartbeatState, at: Date): Promise<void> {
    this.writes++;
    await this.model.updateOne(
      { _id: new Types.ObjectId(id) },
      {
        $set: {
          status: 'online',
          activeAt: at,
          sessionId,
          connectedReplica: replica,
          ...hb,
        },
      },
    );
  }

  /** Heartbeat fields only, and only while this session still owns the node. */
  /** False when the session no longer owns the row (another replica set it offline or took it). */
  async writeHeartbeat(id: string, sessionId: string, replica: string, hb: HeartbeatState): Promise<boolean> {
    this.writes++;
    const res = await this.model.updateOne(
      { _id: new Types.ObjectId(id), sessionId },
      { $set: { status: 'online', connectedReplica: replica, ...hb } },
    );
    return res.matchedCount > 0;
  }

  /**
   * Takes the row back for a live session after another replica's sweep set it offline (its
   * heartbeat writes lagged behind a slow database). Only from the unowned state: a node that
   * reconnected elsewhere keeps its new owner.
   */
  async reclaim(id: string, sessionId: string, replica: string, hb: HeartbeatState, at: Date): Promise<boolean> {
    this.writes++;
    const res = await this.model.updateOne(
      { _id: new Types.ObjectId(id), sessionId: null },
      { $set: { status: 'online', activeAt: at, sessionId, connectedReplica: replica, ...hb } },
    );
    return res.modifiedCount > 0;
  }

  /**
   * Offline only if the closing session still owns the node: a worker that already
   * reconnected (maybe to another replica) must not be marked offline by its old stream.
   */
  async markOffline(id: string, sessionId: string, at: Date = new Date()): Promise<boolean> {
    this.writes++;
    const res = await this.model.updateOne(
      { _id: new Types.ObjectId(id), sessionId },
      { $set: { status: 'offline', taskReady: false, offlineAt: at, sessionId: null } },
    );
    return res.modifiedCount > 0;
  }

  /** Nodes whose owning replica stopped writing heartbeats (it died): offline them. */
  async offlineStale(olderThan: Date, heldHere: (id: string, sessionId: string) => boolean): Promise<number> {
    const stale = await this.model
      .find({ status: 'online', lastHeartbeatAt: { $lt: olderThan } }, { _id: 1, sessionId: 1 })
      .lean<{ _id: Types.ObjectId; sessionId: string | null }[]>();
    let n = 0;
    for (const s of stale) {
      // A stream this replica holds is alive whatever the row says (its writes may lag).
      if (!s.sessionId || heldHere(String(s._id), s.sessionId)) continue;
      if (await this.markOffline(String(s._id), s.sessionId)) n++;
    }
    return n;
  }

  async findById(id: string): Promise<NodeRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    return this.model.findById(id).lean<NodeRecord>();
  }

  async findByIds(ids: string[]): Promise<NodeRecord[]> {
    return this.model.find({ _id: { $in: ids.map((i) => new Types.ObjectId(i)) } }).lean<NodeRecord[]>();
  }

  async list(filter: { status?: string }): Promise<NodeRecord[]> {
    const q: Record<string, unknown> = {};
    if (filter.status) q.status = filter.status;
    return this.model.find(q).sort({ registeredAt: 1 }).lean<NodeRecord[]>();
  }

  async update(id: string, set: Partial<Pick<NodeRecord, 'labels' | 'maxRunners' | 'enabled'>>): Promise<NodeRecord | null> {
    this.writes++;
    await this.model.updateOne({ _id: new Types.ObjectId(id) }, { $set: set });
    return this.findById(id);
  }

  /**
   * Deletes the node only if it is offline. The filter narrows the window in which a worker
   * reconnecting meanwhile would lose its node; on FerretDB 1.x it is not atomic, and a worker
   * that lost its node simply registers again under its key.
   */
  async deleteIfOffline(id: string): Promise<boolean> {
    this.writes++;
    const res = await this.model.deleteOne({ _id: new Types.ObjectId(id), status: 'offline' });
    return res.deletedCount > 0;
  }
}
