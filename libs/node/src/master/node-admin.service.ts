import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError } from '../errors';
import { Label, labelsMatch, NodeView, toNodeView } from '../node.types';
import { ControlStreamRegistry } from './control-stream.registry';
import { NodeRepository } from './node.repository';

export type NodePatch = { labels?: Label[]; maxRunners?: number; enabled?: boolean };

/** What the REST API does with nodes. */
@Injectable()
export class NodeAdminService {
  constructor(
    private readonly nodes: NodeRepository,
    private readonly registry: ControlStreamRegistry,
  ) {}

  async list(filter: { status?: string; label?: Label }): Promise<NodeView[]> {
    const all = await this.nodes.list({ status: filter.status });
    const selected = filter.label ? all.filter((n) => labelsMatch([filter.label as Label], n.labels)) : all;
    return selected.map(toNodeView);
  }

  async get(id: string): Promise<NodeView> {
    const node = await this.nodes.findById(id);
    if (!node) throw new NotFoundError('node', id);
    return toNodeView(node);
  }

  async patch(id: string, patch: NodePatch): Promise<NodeView> {
    if (!(await this.nodes.findById(id))) throw new NotFoundError('node', id);
    const updated = await this.nodes.update(id, patch);
    if (!updated) throw new NotFoundError('node', id);
    // More slots or re-enabled: the dispatcher may have work for it now.
    if (this.registry.get(id)?.ready) this.registry.events.emit('ready', id);
    return toNodeView(updated);
  }

  async delete(id: string): Promise<void> {
    const node = await this.nodes.findById(id);
    if (!node) throw new NotFoundError('node', id);
    if (node.status === 'online') throw new ConflictError(`node ${id} is online; only an offline node can be deleted`);
    await this.nodes.delete(id);
  }
}
