import { Schema } from 'mongoose';

export const NODE_MODEL = 'Node';

const LabelSchema = new Schema({ key: String, value: String }, { _id: false });

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
