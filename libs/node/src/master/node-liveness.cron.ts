import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { ControlStreamRegistry } from './control-stream.registry';
import { NodeCounters } from './node-counters.service';
import { NodeSessionService } from './node-session.service';
import { NodeRepository } from './node.repository';
import { NODE_MASTER_OPTIONS, NodeMasterOptions } from './node-master.options';
import { leaseStaleMs, livenessActions } from '../replica-lease';
import { ReplicaLeaseService } from './replica-lease.service';
import { OnePass } from '../one-pass';

/**
 * The pessimistic side of liveness. Local streams whose heartbeats stopped are ended. Once a
 * second, one read of the status rows and the replica leases (`livenessActions`) finds:
 * nodes of a replica whose lease went stale (it died) and sets them offline, whichever replica
 * notices first; rows named for this replica that it holds no stream for (an offline write that
 * failed, or a previous life under the same CRAWLNEST_REPLICA_ID); and rows another replica set
 * offline while this one still holds their streams (its lease renewals lagged), taken back.
 * Every write is fenced by the row's session.
 */
@Injectable()
export class NodeLivenessCron implements OnModuleDestroy {
  private readonly log = new Logger(NodeLivenessCron.name);
  private readonly sweep = new OnePass();

  constructor(
    private readonly sessions: NodeSessionService,
    private readonly nodes: NodeRepository,
    private readonly counters: NodeCounters,
    private readonly registry: ControlStreamRegistry,
    private readonly lease: ReplicaLeaseService,
    @Inject(NODE_MASTER_OPTIONS) private readonly opts: NodeMasterOptions,
  ) {}

  @Interval(250)
  expireLocal(): void {
    this.sessions.expireSilentSessions();
  }

  onModuleDestroy(): Promise<void> {
    return this.sweep.stop();
  }

  @Interval(1000)
  sweepStale(): Promise<void> {
    return this.sweep.run(() => this.sweepOnce());
  }

  private async sweepOnce(): Promise<void> {
    try {
      const [rows, leases] = await Promise.all([this.nodes.statusRows(), this.nodes.allLeases(false)]);
      const act = livenessActions({
        rows,
        leases,
        now: Date.now(),
        staleMs: leaseStaleMs(this.opts.nodeTimeoutMs),
        me: this.lease.leaseId,
        held: (id) => this.registry.get(id)?.sessionId,
        opening: (sessionId) => this.sessions.isOpening(sessionId),
      });
      const silent = await this.offline(act.offlineSilent);
      if (silent > 0) this.counters.wentOffline('replicaSilent', silent);
      if (silent > 0) this.log.warn({ msg: 'nodes of a silent replica set offline', count: silent });
      const lost = await this.offline(act.offlineLost);
      if (lost > 0) this.counters.wentOffline('streamClosed', lost);
      if (lost > 0) this.log.warn({ msg: 'nodes this replica holds no stream for set offline', count: lost });
      for (const id of act.reclaim) await this.sessions.reclaimHeld(id);
      for (const leaseId of act.forget) await this.nodes.dropLease(leaseId);
    } catch (err) {
      this.log.warn({ msg: 'stale node sweep failed', err: String(err) });
    }
  }

  private async offline(targets: { id: string; sessionId: string }[]): Promise<number> {
    let n = 0;
    for (const t of targets) if (await this.nodes.markOffline(t.id, t.sessionId)) n++;
    return n;
  }
}
