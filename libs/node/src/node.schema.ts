import { Schema } from 'mongoose';

export const NODE_MODEL = 'Node';
export const NODE_HOST_MODEL = 'NodeHost';
export const NODE_STATUS_MODEL = 'NodeStatus';
export const REPLICA_LEASE_MODEL = 'ReplicaLease';

const LabelSchema = new Schema({ key: String, value: String }, { _id: false });
const RuntimeSchema = new Schema({ name: String, version: String }, { _id: false });

/**
 * What a user edits on a node (collection `nodes`). Inserted once by the first registration of
 * a worker key, then written only by PATCH (docs/consistency.md): on FerretDB an update writes
 * back the whole document it read, so no system writer may touch a document users edit.
 * Labels are {key, value} pairs: label keys like `topology.zone` hold dots (TOOLCHAIN.md).
 */
export const NodeSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    labels: { type: [LabelSchema], default: [] },
    maxRunners: { type: Number, required: true },
    enabled: { type: Boolean, default: true },
    registeredAt: { type: Date, required: true },
  },
  { collection: 'nodes', versionKey: false },
);

/** What the worker reports about its host at each registration (`_id` = node id); written only by Register. */
export const NodeHostSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    hostname: { type: String, default: '' },
    ip: { type: String, default: '' },
    version: { type: String, default: '' },
    /** Tools the worker found at registration (python3, node, npm), with versions. */
    runtimes: { type: [RuntimeSchema], default: [] },
  },
  { collection: 'node_hosts', versionKey: false },
);

/**
 * Liveness (`_id` = node id): written only by the control session that owns the node (fenced by
 * `sessionId`) and by the sweep that ends a dead replica's sessions.
 */
export const NodeStatusSchema = new Schema(
  {
    _id: { type: String, required: true },
    status: { type: String, enum: ['online', 'offline'], default: 'offline' },
    taskReady: { type: Boolean, default: false },
    runningTasks: { type: Number, default: 0 },
    activeAt: { type: Date, default: null },
    offlineAt: { type: Date, default: null },
    lastHeartbeatAt: { type: Date, default: null },
    connectedReplica: { type: String, default: null },
    /** The lease (replica_leases `_id`) of the replica process holding the session: its liveness. */
    leaseId: { type: String, default: null },
    sessionId: { type: String, default: null },
    fenceMs: { type: Number, default: null },
    resources: {
      type: new Schema({ cpuPercent: Number, memoryBytes: Number, diskFreeBytes: Number }, { _id: false }),
      default: null,
    },
  },
  { collection: 'node_status', versionKey: false, strict: false },
);

/**
 * One document per running master process (`_id` = lease id: the replica id and a random
 * suffix per start, so a restart under the same CRAWLNEST_REPLICA_ID, or two processes given the
 * same id by mistake, never share one), written only by that process about once a second: its proof of life, and the live heartbeat state of every node whose stream it
 * holds (`nodes`, see LeaseEntry). Node rows in `node_status` are then written only when a node
 * changes (online, readiness, offline), so heartbeats cost no write of their own: a replica
 * with 500 nodes writes one document a second instead of 400 rows (issue 13). `nodes` is an
 * array of plain objects (no casting: it is rewritten whole each time).
 */
export const ReplicaLeaseSchema = new Schema(
  {
    _id: { type: String, required: true },
    replica: { type: String, default: null },
    renewedAt: { type: Date, required: true },
    nodes: { type: Array, default: [] },
  },
  { collection: 'replica_leases', versionKey: false },
);

export const NODE_ENVIRONMENTS_MODEL = 'NodeEnvironments';

const EnvironmentSchema = new Schema(
  { key: String, kind: String, sizeBytes: Number, lastUsedAt: { type: Date, default: null }, state: String },
  { _id: false },
);

/**
 * The spider environments each worker last reported, one document per node (`_id` is the
 * node id). Kept out of the node document: heartbeats update that one, and on FerretDB two
 * updates of one document can lose each other's fields.
 */
export const NodeEnvironmentsSchema = new Schema(
  {
    _id: { type: String, required: true },
    environments: { type: [EnvironmentSchema], default: [] },
    reportedAt: { type: Date, required: true },
  },
  { collection: 'node_environments', versionKey: false },
);

export const NODE_HISTORY_MODEL = 'NodeHistory';

const NodeSampleSchema = new Schema(
  { slot: Number, at: Number, cpuPercent: Number, memoryBytes: Number, runningTasks: Number },
  { _id: false },
);

/**
 * Each node's recent CPU, memory and running tasks (libs/node/src/node-history.ts), one small
 * document per node (`_id` is the node id, the only cheap read on FerretDB), at most
 * HISTORY_SLOTS samples: bounded, written whole by the replica holding the node's stream.
 */
export const NodeHistorySchema = new Schema(
  {
    _id: { type: String, required: true },
    slotMs: { type: Number, required: true },
    samples: { type: [NodeSampleSchema], default: [] },
    writtenAt: { type: Date, required: true },
  },
  { collection: 'node_history', versionKey: false },
);
