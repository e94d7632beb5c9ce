import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { NodeRepository } from './node.repository';

export type NodeCounts = {
  /** Transitions to online (a control stream accepted). */
  online: number;
  /** Transitions to offline, by cause. */
  offline: { streamClosed: number; heartbeatTimeout: number; replicaSilent: number };
  heartbeats: number;
  /** Writes of node documents by this replica: transitions only, none per heartbeat. */
  dbWrites: number;
  /** Lease renewals by this replica: one per renewal interval whatever the number of nodes. */
  leaseWrites: number;
  sinceMs: number;
};

/** In-process counters of node transitions and heartbeat cost; Prometheus comes later. */
@Injectable()
export class NodeCounters implements OnApplicationShutdown {
  private readonly log = new Logger(NodeCounters.name);
  private readonly startedAt = Date.now();
  private online = 0;
  private readonly offline = { streamClosed: 0, heartbeatTimeout: 0, replicaSilent: 0 };
  private heartbeats = 0;

  constructor(private readonly nodes: NodeRepository) {}

  wentOnline(): void {
    this.online++;
  }

  wentOffline(cause: keyof NodeCounts['offline'], count = 1): void {
    this.offline[cause] += count;
  }

  heartbeat(): void {
    this.heartbeats++;
  }

  snapshot(): NodeCounts {
    return {
      online: this.online,
      offline: { ...this.offline },
      heartbeats: this.heartbeats,
      dbWrites: this.nodes.writeCount,
      leaseWrites: this.nodes.leaseWriteCount,
      sinceMs: Date.now() - this.startedAt,
    };
  }

  /** One line at shutdown so a benchmark (or an operator) can read the heartbeat cost. */
  onApplicationShutdown(): void {
    const s = this.snapshot();
    const secs = Math.max(0.001, s.sinceMs / 1000);
    this.log.log({
      msg: 'node counters at shutdown',
      ...s,
      dbWritesPerSec: Math.round((s.dbWrites / secs) * 100) / 100,
      heartbeatsPerSec: Math.round((s.heartbeats / secs) * 100) / 100,
    });
  }
}
