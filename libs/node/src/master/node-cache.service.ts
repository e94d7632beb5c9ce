import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HEARTBEAT_FIELDS, mergeNodeReload, NodeCacheState, REGISTRATION_FIELDS } from '../node-cache.merge';
import { NodeRecord } from '../node.types';
import { NodeRepository } from './node.repository';
import { NODE_MASTER_OPTIONS, NodeMasterOptions } from './node-master.options';

export type LivenessUpdate = Partial<Pick<NodeRecord, (typeof HEARTBEAT_FIELDS)[number]>>;

/**
 * This replica's view of every node: the nodes whose streams it holds, updated in memory on
 * each heartbeat, and the nodes of other replicas, reloaded from the database every
 * CRAWLNEST_NODE_RELOAD_MS and merged field by field (`mergeNodeReload`, seed 002).
 * Readers get copies; the dispatcher can use it instead of a query per pass.
 */
@Injectable()
export class NodeCache implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(NodeCache.name);
  private state: NodeCacheState = { entries: new Map(), tombstones: new Map() };
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;
  private reloadsDone = 0;

  constructor(
    private readonly nodes: NodeRepository,
    @Inject(NODE_MASTER_OPTIONS) private readonly opts: NodeMasterOptions,
  ) {}

  onModuleInit(): void {
    this.reloadLogged();
    this.timer = setInterval(() => this.reloadLogged(), this.opts.nodeReloadMs);
  }

  /** Waits for a reload in flight, which would otherwise run into the connection closing after this. */
  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.reloading?.catch(() => undefined);
  }

  all(): NodeRecord[] {
    return [...this.state.entries.values()].map((e) => copy(e.node));
  }

  get(id: string): NodeRecord | undefined {
    const e = this.state.entries.get(id);
    return e ? copy(e.node) : undefined;
  }

  /** Completed reloads since start (tests and benchmarks wait on it). */
  get reloads(): number {
    return this.reloadsDone;
  }

  /** One reload; concurrent callers share the one in flight. */
  reload(): Promise<void> {
    this.reloading ??= this.reloadOnce().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  /** This replica wrote the node's registration fields (register, PATCH): they win until a later scan. */
  registrationWritten(node: NodeRecord): void {
    const id = String(node._id);
    const local = this.state.entries.get(id);
    const merged = local ? { ...local.node, ...pickRegistration(node) } : copy(node);
    this.state.entries.set(id, { node: merged, registrationAt: Date.now() });
    this.state.tombstones.delete(id);
  }

  /** A node read from the database that this replica does not know yet (e.g. on hello). */
  seed(node: NodeRecord): void {
    const id = String(node._id);
    if (!this.state.entries.has(id) && !this.state.tombstones.has(id)) this.state.entries.set(id, { node: copy(node), registrationAt: 0 });
  }

  /**
   * Heartbeat fields seen on a stream this replica holds. With `onlyForSession`, applied only
   * while the cache still shows that session: a stale stream closing here must not mark
   * offline a node that already reconnected elsewhere.
   */
  applyLiveness(id: string, update: LivenessUpdate, onlyForSession?: string): void {
    const e = this.state.entries.get(id);
    if (!e) return;
    if (onlyForSession !== undefined && e.node.sessionId !== onlyForSession) return;
    e.node = { ...e.node, ...update };
  }

  deleted(id: string): void {
    this.state.entries.delete(id);
    this.state.tombstones.set(id, Date.now());
  }

  private async reloadOnce(): Promise<void> {
    const scanStartedAt = Date.now();
    const snapshot = await this.nodes.list({});
    this.state = mergeNodeReload(this.state, snapshot, scanStartedAt);
    this.reloadsDone++;
  }

  private reloadLogged(): void {
    this.reload().catch((err) => this.log.warn({ msg: 'node cache reload failed; keeping the last view', err: String(err) }));
  }
}

function pickRegistration(n: NodeRecord): Partial<NodeRecord> {
  const out: Partial<NodeRecord> = {};
  for (const k of REGISTRATION_FIELDS) (out as Record<string, unknown>)[k] = n[k];
  return out;
}

function copy(n: NodeRecord): NodeRecord {
  return { ...n, labels: n.labels.map((l) => ({ ...l })), resources: n.resources ? { ...n.resources } : n.resources };
}
