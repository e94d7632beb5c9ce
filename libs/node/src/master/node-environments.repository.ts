import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { NODE_ENVIRONMENTS_MODEL } from '../node.schema';

/** One spider dependency environment on a worker, as the worker reported it. */
export type NodeEnvironment = { key: string; kind: string; sizeBytes: number; lastUsedAt: Date | null; state: string };

type NodeEnvironmentsDoc = { _id: string; environments: NodeEnvironment[]; reportedAt: Date };

/** The only class that touches the node_environments collection. */
@Injectable()
export class NodeEnvironmentsRepository {
  constructor(@InjectModel(NODE_ENVIRONMENTS_MODEL) private readonly model: Model<NodeEnvironmentsDoc>) {}

  /** Replaces the node's list (one writer per node: the replica holding its stream). */
  async replace(nodeId: string, environments: NodeEnvironment[]): Promise<void> {
    await this.model.replaceOne({ _id: nodeId }, { _id: nodeId, environments, reportedAt: new Date() }, { upsert: true });
  }

  /** A deleted node's list goes with it. */
  async forget(nodeId: string): Promise<void> {
    await this.model.deleteOne({ _id: nodeId });
  }

  async list(nodeId: string): Promise<NodeEnvironment[]> {
    const doc = await this.model.findById(nodeId).lean<NodeEnvironmentsDoc>();
    return (doc?.environments ?? []).map((e) => ({ key: e.key, kind: e.kind, sizeBytes: e.sizeBytes, lastUsedAt: e.lastUsedAt ?? null, state: e.state }));
  }
}
