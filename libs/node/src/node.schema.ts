import { Schema } from 'mongoose';

export const NODE_MODEL = 'Node';

const LabelSchema = new Schema({ key: String, value: String }, { _id: false });
const RuntimeSchema = new Schema({ name: String, version: String }, { _id: false });

/** Labels are {key, value} pairs: label keys like `topology.zone` hold dots (TOOLCHAIN.md). */
export const NodeSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    hostname: { type: String, default: '' },
    ip: { type: String, default: '' },
    labels: { type: [LabelSchema], default: [] },
    maxRunners: { type: Number, required: true },
    runningTasks: { type: Number, default: 0 },
    status: { type: String, enum: ['online', 'offline'], default: 'offline' },
    taskReady: { type: Boolean, default: false },
    enabled: { type: Boolean, default: true },
    version: { type: String, default: '' },
    /** Tools the worker found at registration (python3, node, npm), with versions. */
    runtimes: { type: [RuntimeSchema], default: [] },
    registeredAt: { type: Date, required: true },
    activeAt: { type: Date, default: null },
    offlineAt: { type: Date, default: null },
    lastHeartbeatAt: { type: Date, default: null },
    connectedReplica: { type: String, default: null },
    sessionId: { type: String, default: null },
    resources: {
      type: new Schema(
        { cpuPercent: Number, memoryBytes: Number, diskFreeBytes: Number },
        { _id: false },
      ),
      default: null,
    },
  },
  { collection: 'nodes', versionKey: false },
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
