import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { isDuplicateKeyError } from '../errors';
import { joinNode, NodeHostDoc, NodeStatusDoc, NodeUserDoc } from '../node-join';
import { NODE_HOST_MODEL, NODE_MODEL, NODE_STATUS_MODEL, REPLICA_LEASE_MODEL } from '../node.schema';
import { Label, NodeRecord } from '../node.types';
import { LeaseEntry, ReplicaLeaseDoc, StatusRow, withLease } from '../replica-lease';

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

/** Who holds a node's session: the replica (shown as `connectedReplica`) and its process's lease. */
export type SessionOwner = { replica: string; leaseId: string };

export type HeartbeatState = {
  taskReady: boolean;
  runningTasks: number;
  lastHeartbeatAt: Date;
  resources: { cpuPercent: number; memoryBytes: number; diskFreeBytes: number } | null;
};

/**
 * The only class that touches the node collections. A node is three documents, each with one
 * writer (docs/consistency.md), because FerretDB 1.x updates read then write the whole document
 * and a system write that read before a user's PATCH would write the old values back:
 * - `nodes`: what users edit (labels, maxRunners, enabled), written by PATCH only;
 * - `node_hosts`: name, hostname, ip, version, written by Register only;
 * - `node_status`: liveness, written by the owning control session (fenced by sessionId) when
 *   the node changes (online, readiness, offline), and by the sweep of a dead replica's sessions;
 * - `replica_leases`: one document per replica, renewed by it about once a second, with the
 *   live heartbeat state of the nodes it holds (so a heartbeat costs no write of its own).
 * Readers get them joined (`joinNode`, then `withLease`), in the NodeRecord shape the rest of
 * the code knows.
 */
@Injectable()
export class NodeRepository {
  private writes = 0;
  private leaseWrites = 0;

  constructor(
    @InjectModel(NODE_MODEL) private readonly users: Model<NodeUserDoc>,
    @InjectModel(NODE_HOST_MODEL) private readonly hosts: Model<NodeHostDoc>,
    @InjectModel(NODE_STATUS_MODEL) private readonly statuses: Model<NodeStatusDoc>,
    @InjectModel(REPLICA_LEASE_MODEL) private readonly leases: Model<ReplicaLeaseDoc>,
  ) {}

  /** Write commands sent to the node collections since start, lease renewals apart: the cost per node. */
  get writeCount(): number {
    return this.writes;
  }

  /** Lease renewals written since start: one per renewal interval, whatever the number of nodes. */
  get leaseWriteCount(): number {
    return this.leaseWrites;
  }

  /** This replica's proof of life and its nodes' live state, in one write by `_id`. */
  async renewLease(leaseId: string, replica: string, nodes: LeaseEntry[], at: Date): Promise<void> {
    this.leaseWrites++;
    await upsert(this.leases, leaseId, { replica, renewedAt: at, nodes });
  }

  /** At a graceful stop, after the process's streams are closed; or a lease long stale. */
  async dropLease(leaseId: string): Promise<void> {
    await this.leases.deleteOne({ _id: leaseId });
  }

  /** Every replica's lease; without `withNodes`, only when each was renewed (what the sweep needs). */
  async allLeases(withNodes = true): Promise<ReplicaLeaseDoc[]> {
    const docs = await this.leases.find({}, withNodes ? undefined : { renewedAt: 1 }).lean<ReplicaLeaseDoc[]>();
    return withNodes ? docs : docs.map((d) => ({ ...d, nodes: [] }));
  }

  /** What the liveness sweep needs of every status row (a small table: one row per node). */
  async statusRows(): Promise<StatusRow[]> {
    return this.statuses.find({}, { status: 1, sessionId: 1, leaseId: 1 }).lean<StatusRow[]>();
  }

  /**
   * By the worker's persistent key: a restarted worker updates its node's host facts. Labels
   * and maxRunners from the worker only seed a new node; once stored they are edited through
   * the API, which the worker's next start must not undo (it never writes `nodes` again).
   */
  async register(r: Registration): Promise<NodeRecord> {
    let user = await this.users.findOne({ key: r.key }).lean<NodeUserDoc>();
    if (!user) {
      try {
        this.writes++;
        const created = await this.users.create({ key: r.key, labels: r.labels, maxRunners: r.maxRunners, enabled: true, registeredAt: new Date() });
        user = created.toObject<NodeUserDoc>();
      } catch (err) {
        // Two registrations of one key raced; the unique index kept one node. Use it.
        user = await this.users.findOne({ key: r.key }).lean<NodeUserDoc>();
        if (!user) throw err;
      }
    }
    const id = String(user._id);
    const host: NodeHostDoc = { _id: id, name: r.name, hostname: r.hostname, ip: r.ip, version: r.version, runtimes: r.runtimes };
    this.writes++;
    await upsert(this.hosts, id, { name: r.name, hostname: r.hostname, ip: r.ip, version: r.version, runtimes: r.runtimes });
    const status = (await this.statuses.findById(id).lean<NodeStatusDoc>()) ?? undefined;
    return joinNode(user, host, status);
  }

  async markOnline(id: string, sessionId: string, owner: SessionOwner, hb: HeartbeatState, at: Date, fenceMs: number): Promise<void> {
    this.writes++;
    await upsert(this.statuses, id, { status: 'online', activeAt: at, sessionId, connectedReplica: owner.replica, leaseId: owner.leaseId, fenceMs, ...hb });
  }

  /**
   * Heartbeat fields, only while this session still owns the node: written when its readiness
   * changes (the live fields between changes travel in the replica's lease). False when the
   * session no longer owns the row (another replica set it offline or took it).
   */
  async writeHeartbeat(id: string, sessionId: string, owner: SessionOwner, hb: HeartbeatState): Promise<boolean> {
    this.writes++;
    const res = await this.statuses.updateOne({ _id: id, sessionId }, { $set: { status: 'online', connectedReplica: owner.replica, leaseId: owner.leaseId, ...hb } });
    return res.matchedCount > 0;
  }

  /**
   * Takes the row back for a live session after another replica's sweep set it offline (its
   * heartbeat writes lagged behind a slow database). Only from the unowned state: a node that
   * reconnected elsewhere keeps its new owner.
   */
  async reclaim(id: string, sessionId: string, owner: SessionOwner, hb: HeartbeatState, at: Date, fenceMs: number): Promise<boolean> {
    this.writes++;
    const res = await this.statuses.updateOne(
      { _id: id, sessionId: null },
      { $set: { status: 'online', activeAt: at, sessionId, connectedReplica: owner.replica, leaseId: owner.leaseId, fenceMs, ...hb } },
    );
    return res.modifiedCount > 0;
  }

  /**
   * Offline only if the closing session still owns the node: a worker that already
   * reconnected (maybe to another replica) must not be marked offline by its old stream.
   */
  async markOffline(id: string, sessionId: string, at: Date = new Date()): Promise<boolean> {
    this.writes++;
    const res = await this.statuses.updateOne(
      { _id: id, sessionId },
      { $set: { status: 'offline', taskReady: false, offlineAt: at, sessionId: null } },
    );
    return res.modifiedCount > 0;
  }

  async findById(id: string): Promise<NodeRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const [user, host, status] = await Promise.all([
      this.users.findById(id).lean<NodeUserDoc>(),
      this.hosts.findById(id).lean<NodeHostDoc>(),
      this.statuses.findById(id).lean<NodeStatusDoc>(),
    ]);
    if (!user) return null;
    const lease = status?.status === 'online' && status.leaseId ? await this.leases.findById(status.leaseId).lean<ReplicaLeaseDoc>() : null;
    return withLease(joinNode(user, host ?? undefined, status ?? undefined), lease ?? undefined);
  }

  async findByIds(ids: string[]): Promise<NodeRecord[]> {
    const valid = ids.filter((i) => Types.ObjectId.isValid(i));
    const [users, hosts, statuses, leases] = await Promise.all([
      this.users.find({ _id: { $in: valid.map((i) => new Types.ObjectId(i)) } }).lean<NodeUserDoc[]>(),
      this.hosts.find({ _id: { $in: valid } }).lean<NodeHostDoc[]>(),
      this.statuses.find({ _id: { $in: valid } }).lean<NodeStatusDoc[]>(),
      this.allLeases(),
    ]);
    return joinAll(users, hosts, statuses, leases);
  }

  async list(filter: { status?: string }): Promise<NodeRecord[]> {
    const [users, hosts, statuses, leases] = await Promise.all([
      this.users.find().sort({ registeredAt: 1 }).lean<NodeUserDoc[]>(),
      this.hosts.find().lean<NodeHostDoc[]>(),
      this.statuses.find().lean<NodeStatusDoc[]>(),
      this.allLeases(),
    ]);
    const all = joinAll(users, hosts, statuses, leases);
    return filter.status ? all.filter((n) => n.status === filter.status) : all;
  }

  /** A user's edit: the only write to a node's `nodes` document after its first registration. */
  async update(id: string, set: Partial<Pick<NodeRecord, 'labels' | 'maxRunners' | 'enabled'>>): Promise<NodeRecord | null> {
    this.writes++;
    await this.users.updateOne({ _id: new Types.ObjectId(id) }, { $set: set });
    return this.findById(id);
  }

  /**
   * Deletes the node only if it is offline. The check and the delete are two steps (they were
   * on FerretDB 1.x before too); a worker that lost its node meanwhile registers again under
   * its key and gets a new node.
   */
  async deleteIfOffline(id: string): Promise<boolean> {
    const status = await this.statuses.findById(id).lean<NodeStatusDoc>();
    if (status?.status === 'online') return false;
    this.writes++;
    const res = await this.users.deleteOne({ _id: new Types.ObjectId(id) });
    if (res.deletedCount === 0) return false;
    await Promise.all([this.hosts.deleteOne({ _id: id }), this.statuses.deleteOne({ _id: id, status: { $ne: 'online' } })]);
    return true;
  }
}

function joinAll(users: NodeUserDoc[], hosts: NodeHostDoc[], statuses: NodeStatusDoc[], leases: ReplicaLeaseDoc[]): NodeRecord[] {
  const hostOf = new Map(hosts.map((h) => [h._id, h]));
  const statusOf = new Map(statuses.map((s) => [s._id, s]));
  const leaseOf = new Map(leases.map((l) => [l._id, l]));
  return users.map((u) => {
    const node = joinNode(u, hostOf.get(String(u._id)), statusOf.get(String(u._id)));
    return withLease(node, node.leaseId ? leaseOf.get(node.leaseId) : undefined);
  });
}

/**
 * `$set` with upsert by `_id`. Two first upserts of one `_id` at once: one insert wins and the
 * other gets a duplicate-key error (FerretDB and MongoDB alike); its retry is a plain update.
 */
async function upsert<T extends { _id: string }>(model: Model<T>, id: string, set: Record<string, unknown>): Promise<void> {
  try {
    await model.updateOne({ _id: id }, { $set: set }, { upsert: true });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    await model.updateOne({ _id: id }, { $set: set }, { upsert: true });
  }
}
