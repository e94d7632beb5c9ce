import { Injectable } from '@nestjs/common';
import { Gauge, Metric } from 'prom-client';
import { countBy } from '../count-by';
import { NodeStatus } from '../node.types';
import { ControlStreamRegistry } from './control-stream.registry';
import { NodeCache } from './node-cache.service';

const NODE_STATUSES: readonly NodeStatus[] = ['online', 'offline'];

/**
 * Node metrics of this replica, read from memory at scrape time (no database work). The
 * metrics belong to no registry: the app registers `metrics()` in its own.
 */
@Injectable()
export class NodeMetrics {
  private readonly nodes: Gauge<'status'>;
  private readonly controlStreams: Gauge;

  constructor(cache: NodeCache, registry: ControlStreamRegistry) {
    this.nodes = new Gauge({
      name: 'crawlnest_nodes',
      help: "Nodes by status, as this replica's node cache sees them",
      labelNames: ['status'],
      registers: [],
      collect: () => {
        const counts = countBy(cache.all().map((n) => n.status), NODE_STATUSES);
        for (const [status, n] of Object.entries(counts)) this.nodes.set({ status }, n);
      },
    });
    this.controlStreams = new Gauge({
      name: 'crawlnest_grpc_control_streams_open',
      help: 'Worker control streams (Connect) open on this replica',
      registers: [],
      collect: () => this.controlStreams.set(registry.all().length),
    });
  }

  metrics(): Metric[] {
    return [this.nodes, this.controlStreams];
  }
}
