import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { NODE_HISTORY_MODEL } from '../node.schema';
import type { NodeSample } from '../node-history';

type NodeHistoryDoc = { _id: string; slotMs: number; samples: NodeSample[]; writtenAt: Date };

/**
 * The only class that touches node_history: one document per node, read and written by `_id`
 * only (FerretDB serves nothing else without a scan; MongoDB the same by its `_id` index).
 */
@Injectable()
export class NodeHistoryRepository {
  constructor(@InjectModel(NODE_HISTORY_MODEL) private readonly model: Model<NodeHistoryDoc>) {}

  /** The node's samples stored with this slot length (another length's samples are not comparable). */
  async samples(nodeId: string, slotMs: number): Promise<NodeSample[]> {
    const doc = await this.model.findById(nodeId).lean<NodeHistoryDoc>();
    if (!doc || doc.slotMs !== slotMs) return [];
    return doc.samples.map((s) => ({ slot: s.slot, at: s.at, cpuPercent: s.cpuPercent, memoryBytes: s.memoryBytes, runningTasks: s.runningTasks }));
  }

  /** Replaces the node's history (one writer per node: the replica holding its stream). */
  async replace(nodeId: string, slotMs: number, samples: NodeSample[]): Promise<void> {
    await this.model.replaceOne({ _id: nodeId }, { _id: nodeId, slotMs, samples, writtenAt: new Date() }, { upsert: true });
  }

  /** A deleted node's history goes with it. */
  async forget(nodeId: string): Promise<void> {
    await this.model.deleteOne({ _id: nodeId });
  }
}
