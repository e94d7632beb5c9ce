import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { ControlStreamRegistry } from './control-stream.registry';
import { NodeCounters } from './node-counters.service';
import { NodeSessionService } from './node-session.service';
import { NodeRepository } from './node.repository';
import { NODE_MASTER_OPTIONS, NodeMasterOptions } from './node-master.options';

/**
 * The pessimistic side of liveness. Local streams whose heartbeats stopped are ended;
 * nodes whose owning replica stopped writing heartbeats altogether (it died) are set
 * offline from the database, by whichever replica notices first.
 */
@Injectable()
export class NodeLivenessCron {
  private readonly log = new Logger(NodeLivenessCron.name);
  private sweeping = false;

  constructor(
    private readonly sessions: NodeSessionService,
    private readonly nodes: NodeRepository,
    private readonly counters: NodeCounters,
    private readonly registry: ControlStreamRegistry,
    @Inject(NODE_MASTER_OPTIONS) private readonly opts: NodeMasterOptions,
  ) {}

  @Interval(250)
  expireLocal(): void {
    this.sessions.expireSilentSessions();
  }

  @Interval(1000)
  async sweepStale(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      // Heartbeat writes are coalesced to every timeout/2, so allow that much extra age.
      const cutoff = new Date(Date.now() - this.opts.nodeTimeoutMs * 1.5 - 500);
      const n = await this.nodes.offlineStale(cutoff, (id, sessionId) => this.registry.get(id)?.sessionId === sessionId);
      if (n > 0) this.counters.wentOffline('replicaSilent', n);
      if (n > 0) this.log.warn({ msg: 'nodes of a silent replica set offline', count: n });
    } catch (err) {
      this.log.warn({ msg: 'stale node sweep failed', err: String(err) });
    } finally {
      this.sweeping = false;
    }
  }
}
