import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { LeaseEntry, leaseRenewMs, newLeaseId } from '../replica-lease';
import { ControlStreamRegistry } from './control-stream.registry';
import { NodeRepository, SessionOwner } from './node.repository';
import { NODE_MASTER_OPTIONS, NodeMasterOptions } from './node-master.options';

/**
 * Renews this replica's lease (`replica_leases`, docs/consistency.md): one write by `_id` every
 * `leaseRenewMs`, carrying the live state of every node whose stream it holds. Other replicas
 * judge this replica's nodes alive by the lease's age (NodeLivenessCron), and show their running
 * counts and resources from it. At most one renewal is in flight; a slow database delays the
 * next one instead of piling writes up.
 */
@Injectable()
export class ReplicaLeaseService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(ReplicaLeaseService.name);
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  private renewedOnce = false;
  private failingSince: number | undefined;
  /** This process's lease: new at every start, so a previous life's sessions are judged by their own, stale, lease. */
  readonly leaseId: string;

  constructor(
    private readonly nodes: NodeRepository,
    private readonly registry: ControlStreamRegistry,
    @Inject(NODE_MASTER_OPTIONS) private readonly opts: NodeMasterOptions,
  ) {
    this.leaseId = newLeaseId(opts.replicaId, randomBytes(4).toString('hex'));
  }

  /** Written into the rows of the sessions this process opens. */
  get owner(): SessionOwner {
    return { replica: this.opts.replicaId, leaseId: this.leaseId };
  }

  onModuleInit(): void {
    this.renewLogged();
    this.timer = setInterval(() => this.renewLogged(), leaseRenewMs(this.opts.nodeTimeoutMs));
  }

  /** Stops renewing and removes the lease: called after this replica's streams were closed. */
  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.renewing?.catch(() => undefined);
    await this.nodes.dropLease(this.leaseId).catch((err) => this.log.debug({ msg: 'lease not removed at shutdown', err: String(err) }));
  }

  /**
   * Resolves once the lease has been written at least once. A session opened before that would
   * belong to a replica other sweeps cannot see alive, and be set offline at once.
   */
  async written(): Promise<void> {
    if (!this.renewedOnce) await this.renew();
  }

  /** A database outage fails every renewal: said once when it starts and once when it ends. */
  private renewLogged(): void {
    this.renew().then(
      () => {
        if (this.failingSince === undefined) return;
        this.log.log({ msg: 'replica lease renewed again', failedForMs: Date.now() - this.failingSince });
        this.failingSince = undefined;
      },
      (err: unknown) => {
        if (this.failingSince !== undefined) return;
        this.failingSince = Date.now();
        this.log.warn({ msg: 'replica lease renewal failed; other replicas will set this replica\'s nodes offline if it lasts', err: String(err) });
      },
    );
  }

  private renew(): Promise<void> {
    this.renewing ??= this.writeLease().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private async writeLease(): Promise<void> {
    const nodes: LeaseEntry[] = this.registry.all().map((s) => ({
      nodeId: s.nodeId,
      sessionId: s.sessionId,
      lastHeartbeatAt: new Date(s.lastHeartbeatAt),
      runningTasks: s.runningTasks,
      resources: s.resources ?? null,
    }));
    await this.nodes.renewLease(this.leaseId, this.opts.replicaId, nodes, new Date());
    this.renewedOnce = true;
  }
}
