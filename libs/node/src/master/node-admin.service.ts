import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError } from '../errors';
import { Label, labelsMatch, NodeRecord, NodeView, toNodeView } from '../node.types';
import { ControlStreamRegistry } from './control-stream.registry';
import { NodeEnvironmentsRepository } from './node-environments.repository';
import { NodeHistoryRepository } from './node-history.repository';
import { NodeCache } from './node-cache.service';
import { NodeRepository } from './node.repository';

/** How long a delete waits for an offline mark this replica has already made in memory. */
const OFFLINE_WRITE_WAIT_MS = 3000;

export type NodePatch = { labels?: Label[]; maxRunners?: number; enabled?: boolean };

/** What the REST API does with nodes. */
@Injectable()
export class NodeAdminService {
  constructor(
    private readonly nodes: NodeRepository,
    private readonly registry: ControlStreamRegistry,
    private readonly cache: NodeCache,
    private readonly environments: NodeEnvironmentsRepository,
    private readonly history: NodeHistoryRepository,
  ) {}

  /**
   * Served from this replica's node cache: its own nodes with every heartbeat, other replicas'
   * nodes as of the last reload (at most CRAWLNEST_NODE_RELOAD_MS old).
   */
  async list(filter: { status?: string; label?: Label }): Promise<NodeView[]> {
    if (this.cache.reloads === 0) await this.cache.reload();
    return this.cache
      .all()
      .filter((n) => !filter.status || n.status === filter.status)
      .filter((n) => !filter.label || labelsMatch([filter.label], n.labels))
      .sort((a, b) => new Date(a.registeredAt).getTime() - new Date(b.registeredAt).getTime() || String(a._id).localeCompare(String(b._id)))
      .map(toNodeView);
  }

  /** From the cache; a node registered on another replica since the last reload is read from the database. */
  async get(id: string): Promise<NodeView> {
    const cached = this.cache.get(id);
    if (cached) return toNodeView(cached);
    const node = await this.nodes.findById(id);
    if (!node) throw new NotFoundError('node', id);
    this.cache.seed(node);
    return toNodeView(node);
  }

  async patch(id: string, patch: NodePatch): Promise<NodeView> {
    if (!(await this.nodes.findById(id))) throw new NotFoundError('node', id);
    const updated = await this.nodes.update(id, patch);
    if (!updated) throw new NotFoundError('node', id);
    this.cache.registrationWritten(updated);
    // More slots or re-enabled: the dispatcher may have work for it now.
    if (this.registry.get(id)?.ready) this.registry.events.emit('ready', id);
    return toNodeView(this.cache.get(id) ?? updated);
  }

  async delete(id: string): Promise<void> {
    let node = await this.nodes.findById(id);
    if (!node) throw new NotFoundError('node', id);
    const refuse = () => new ConflictError(`node ${node?.name ?? id} (${id}) is online; only an offline node can be deleted`);
    // This replica can know a node is offline before the database does (the offline mark
    // waits behind a heartbeat write in flight): wait for it rather than contradict GET.
    if (node.status === 'online' && !this.registry.get(id) && this.cache.get(id)?.status === 'offline') {
      node = (await this.offlineInDatabase(id)) ?? node;
    }
    if (node.status === 'online') throw refuse();
    if (!(await this.nodes.deleteIfOffline(id))) {
      // It came online between the read and the delete, or someone else deleted it.
      if (await this.nodes.findById(id)) throw refuse();
      throw new NotFoundError('node', id);
    }
    this.cache.deleted(id);
    await this.environments.forget(id);
    await this.history.forget(id);
  }

  private async offlineInDatabase(id: string): Promise<NodeRecord | null> {
    const deadline = Date.now() + OFFLINE_WRITE_WAIT_MS;
    for (;;) {
      const n = await this.nodes.findById(id);
      if (!n || n.status !== 'online' || Date.now() > deadline) return n;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
