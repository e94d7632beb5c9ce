import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import {
  HeartbeatMsg,
  HelloMsg,
  MasterMessage,
  RegisterRequest,
  RegisterResponse,
  WorkerMessage,
} from '../grpc/messages';
import { ControlSession, ControlStreamRegistry } from './control-stream.registry';
import { NodeCache } from './node-cache.service';
import { NodeEnvironmentsRecorder } from './node-environments.recorder';
import { NodeCounters } from './node-counters.service';
import { NodeHistoryRecorder } from './node-history.recorder';
import { HeartbeatState, NodeRepository } from './node.repository';
import { NODE_MASTER_OPTIONS, NodeMasterOptions } from './node-master.options';
import { ReplicaLeaseService } from './replica-lease.service';

/**
 * Node lifecycle on the master: registration, the control stream's session, heartbeats,
 * and the transitions they cause. A node's row is written on a transition only (online,
 * readiness changed, offline); between transitions its heartbeats live in memory and reach
 * the database in this replica's lease (ReplicaLeaseService), one write for all its nodes.
 */
@Injectable()
export class NodeSessionService {
  private readonly log = new Logger(NodeSessionService.name);
  /** Sessions whose online row is being written: not in the registry yet, and not lost. */
  private readonly opening = new Set<string>();

  constructor(
    private readonly nodes: NodeRepository,
    private readonly environments: NodeEnvironmentsRecorder,
    private readonly registry: ControlStreamRegistry,
    private readonly cache: NodeCache,
    private readonly counters: NodeCounters,
    private readonly lease: ReplicaLeaseService,
    private readonly history: NodeHistoryRecorder,
    @Inject(NODE_MASTER_OPTIONS) private readonly opts: NodeMasterOptions,
  ) {}

  /** True while the session's online row is being written (the liveness sweep must not take it for lost). */
  isOpening(sessionId: string): boolean {
    return this.opening.has(sessionId);
  }

  /** The row of a node whose stream this replica holds was set offline elsewhere: take it back. */
  reclaimHeld(nodeId: string): Promise<void> {
    const s = this.registry.get(nodeId);
    return s ? this.reclaim(s, this.heartbeatState(s)) : Promise.resolve();
  }

  async register(req: RegisterRequest): Promise<RegisterResponse> {
    const node = await this.nodes.register({
      key: req.key,
      name: req.name || req.hostname || req.key.slice(0, 8),
      hostname: req.hostname,
      ip: req.ip,
      labels: req.labels.map((l) => ({ key: l.key, value: l.value })),
      maxRunners: req.maxRunners > 0 ? req.maxRunners : 1,
      version: req.version,
      runtimes: (req.runtimes ?? []).map((r) => ({ name: r.name, version: r.version })),
    });
    this.cache.registrationWritten(node);
    this.log.log({ msg: 'node registered', nodeId: String(node._id), key: req.key });
    return {
      nodeId: String(node._id),
      replica: this.opts.replicaId,
      heartbeatIntervalMs: this.opts.heartbeatMs,
      fenceMs: this.opts.fenceMs ?? 0,
    };
  }

  /** Runs one control stream from its hello to its end. */
  attach(call: ServerDuplexStream<WorkerMessage, MasterMessage>): void {
    let session: ControlSession | undefined;
    // The stream may end while the hello is still being written to the database.
    let ended = false;
    let early: HeartbeatMsg | undefined;
    const closeSession = (why: string) => {
      ended = true;
      if (!session) return;
      const s = session;
      session = undefined;
      if (this.registry.close(s)) {
        this.log.log({ msg: 'control stream closed', nodeId: s.nodeId, why });
        void this.setOffline(s, 'streamClosed');
      }
    };

    call.on('data', (msg: WorkerMessage) => {
      if (msg.hello) {
        if (session) return; // a second hello on one stream is ignored
        this.openSession(call, msg.hello)
          .then((s) => {
            session = s;
            if (ended) closeSession('stream ended during hello');
            else if (s && early) this.onHeartbeat(s, early);
          })
          .catch((err) => {
            this.log.error({ msg: 'opening control session failed', nodeId: msg.hello?.nodeId, err: String(err) });
            call.emit('error', { code: 13, details: 'could not open session' });
          });
      } else if (msg.heartbeat && session) {
        this.onHeartbeat(session, msg.heartbeat);
      } else if (msg.heartbeat) {
        early = msg.heartbeat; // the hello is still being stored; keep the newest beat for it
      }
    });
    call.on('end', () => closeSession('worker ended stream'));
    call.on('cancelled', () => closeSession('stream cancelled'));
    call.on('error', (err) => closeSession(`stream error: ${err.message}`));
    call.on('close', () => closeSession('stream closed'));
  }

  /**
   * Graceful stop of this replica: end every control stream (each worker reconnects, to
   * another replica if it knows one) and wait until their offline marks are written, so the
   * database connection can close after them. Fenced by session: a worker that already
   * reconnected elsewhere keeps its new session's online state.
   */
  async closeAllStreams(): Promise<number> {
    const writes: Promise<void>[] = [];
    for (const s of this.registry.all()) {
      if (this.registry.close(s)) writes.push(this.setOffline(s, 'streamClosed'));
    }
    await Promise.all(writes);
    return writes.length;
  }

  /** Ends sessions whose heartbeats stopped while the stream looked open (a stalled link). */
  expireSilentSessions(now = Date.now()): void {
    for (const s of this.registry.all()) {
      if (now - s.lastHeartbeatAt <= this.opts.nodeTimeoutMs) continue;
      if (this.registry.close(s)) {
        this.log.warn({ msg: 'node heartbeat timed out', nodeId: s.nodeId, silentMs: now - s.lastHeartbeatAt });
        void this.setOffline(s, 'heartbeatTimeout');
      }
    }
  }

  /** Offline in memory at once (fenced by session), then in the database (fenced the same way). */
  private setOffline(s: ControlSession, cause: 'streamClosed' | 'heartbeatTimeout'): Promise<void> {
    const at = new Date();
    this.counters.wentOffline(cause);
    this.cache.applyLiveness(s.nodeId, { status: 'offline', taskReady: false, offlineAt: at, sessionId: null }, s.sessionId);
    s.pendingWrite = undefined;
    this.history.forget(s.nodeId, s.sessionId);
    // FerretDB 1.x updates read then write: a heartbeat write still in flight could land after
    // the offline one and set the node online again, so offline goes after it.
    return (s.writing ?? Promise.resolve())
      .then(async () => void (await this.nodes.markOffline(s.nodeId, s.sessionId, at)))
      .catch((err: unknown) => {
        // A stream that ends while this replica shuts down finds the database already closed:
        // expected, and harmless (the liveness sweep of any replica marks the node offline).
        if (isClientClosedError(err)) this.log.debug({ msg: 'node offline not written: database closed at shutdown', nodeId: s.nodeId });
        else this.log.error({ msg: 'marking node offline failed', nodeId: s.nodeId, err: String(err) });
      });
  }

  private async openSession(
    call: ServerDuplexStream<WorkerMessage, MasterMessage>,
    hello: HelloMsg,
  ): Promise<ControlSession | undefined> {
    const node = await this.nodes.findById(hello.nodeId);
    if (!node || node.key !== hello.key) {
      this.log.warn({ msg: 'hello from unknown node refused', nodeId: hello.nodeId });
      call.emit('error', { code: 5, details: 'unknown node: register first' });
      return undefined;
    }
    this.cache.seed(node);
    // Other replicas judge this node alive by this replica's lease: it must exist first.
    await this.lease.written();
    const now = Date.now();
    const session: ControlSession = {
      sessionId: randomUUID(),
      nodeId: hello.nodeId,
      key: hello.key,
      call,
      ready: hello.ready,
      runningTasks: hello.running.length,
      lastHeartbeatAt: now,
      resources: null,
      announced: hello.running,
      running: hello.running,
    };
    const hb = this.heartbeatState(session);
    const at = new Date(now);
    this.opening.add(session.sessionId);
    try {
      await this.nodes.markOnline(session.nodeId, session.sessionId, this.lease.owner, hb, at, this.opts.fenceMs ?? 0);
      this.openWritten(session, hb, at);
    } finally {
      this.opening.delete(session.sessionId);
    }
    this.log.log({ msg: 'node online', nodeId: session.nodeId, ready: session.ready, running: hello.running.length });
    return session;
  }

  /** The online row is written: the session goes live in memory. */
  private openWritten(session: ControlSession, hb: HeartbeatState, at: Date): void {
    // A slow database must not count against the worker: its silence starts now.
    session.lastHeartbeatAt = Date.now();
    this.cache.applyLiveness(session.nodeId, {
      ...hb,
      status: 'online',
      activeAt: at,
      sessionId: session.sessionId,
      connectedReplica: this.opts.replicaId,
      leaseId: this.lease.leaseId,
    });
    this.counters.wentOnline();
    this.registry.open(session);
  }

  private onHeartbeat(s: ControlSession, hb: HeartbeatMsg): void {
    const now = Date.now();
    const becameReady = hb.ready && !s.ready;
    // A worker whose slot just freed pushes a heartbeat at once: that is its ask for work.
    const asksForWork = hb.ready && hb.freeSlots > 0 && hb.runningTasks < s.runningTasks;
    const readyChanged = hb.ready !== s.ready;
    s.ready = hb.ready;
    s.runningTasks = hb.runningTasks;
    s.running = hb.running ?? [];
    s.lastHeartbeatAt = now;
    s.resources = { cpuPercent: hb.cpuPercent, memoryBytes: Number(hb.memoryBytes), diskFreeBytes: Number(hb.diskFreeBytes) };
    this.counters.heartbeat();
    this.environments.record(s.nodeId, hb.environments ?? []);
    this.history.record(s.nodeId, s.sessionId, { cpuPercent: s.resources.cpuPercent, memoryBytes: s.resources.memoryBytes, runningTasks: hb.runningTasks }, now);
    this.answerHeartbeat(s, hb);
    const state = this.heartbeatState(s);
    this.cache.applyLiveness(s.nodeId, state, s.sessionId);
    if (becameReady || asksForWork) this.registry.events.emit('ready', s.nodeId);
    // Readiness is written at once (other replicas' reconcile reads it from the row). Running
    // count, resources and the heartbeat's time reach the database in the lease.
    if (!readyChanged) {
      if (s.pendingWrite) s.pendingWrite = state; // a readiness write is waiting: send the newest state
      return;
    }
    s.pendingWrite = state;
    this.flushHeartbeat(s);
  }

  /**
   * Every heartbeat gets a ping back: it is how the worker knows a master still hears it, and
   * a worker hearing nothing for its fence time stops its tasks (they may soon run elsewhere).
   */
  private answerHeartbeat(s: ControlSession, hb: HeartbeatMsg): void {
    try {
      s.call.write({ ping: { sentAtMs: String(hb.sentAtMs ?? Date.now()) } });
    } catch (err) {
      this.log.debug({ msg: 'ping write failed', nodeId: s.nodeId, err: String(err) });
    }
  }

  /**
   * At most one readiness write per node in flight: when readiness flips faster than the
   * database writes, newer states replace the queued one instead of piling up writes.
   */
  private flushHeartbeat(s: ControlSession): void {
    if (s.writing || !s.pendingWrite) return;
    const state = s.pendingWrite;
    s.pendingWrite = undefined;
    s.writing = this.nodes
      .writeHeartbeat(s.nodeId, s.sessionId, this.lease.owner, state)
      .then((owned) => (owned || this.registry.get(s.nodeId) !== s ? undefined : this.reclaim(s, state)))
      .catch((err) =>
        isClientClosedError(err)
          ? this.log.debug({ msg: 'heartbeat not written: database closed at shutdown', nodeId: s.nodeId })
          : this.log.warn({ msg: 'heartbeat write failed', nodeId: s.nodeId, err: String(err) }),
      )
      .finally(() => {
        s.writing = undefined;
        if (this.registry.get(s.nodeId) === s) this.flushHeartbeat(s);
      });
  }

  /** The row says offline but this stream is alive: another replica's sweep saw lagging writes. */
  private async reclaim(s: ControlSession, state: HeartbeatState): Promise<void> {
    const at = new Date();
    if (!(await this.nodes.reclaim(s.nodeId, s.sessionId, this.lease.owner, state, at, this.opts.fenceMs ?? 0))) return;
    this.counters.wentOnline();
    this.log.warn({ msg: 'node set offline elsewhere while its stream is alive here; taken back', nodeId: s.nodeId });
  }

  private heartbeatState(s: ControlSession): HeartbeatState {
    return { taskReady: s.ready, runningTasks: s.runningTasks, lastHeartbeatAt: new Date(s.lastHeartbeatAt), resources: s.resources ?? null };
  }
}

/** mongoose/mongodb's errors for an operation on a client that was closed on purpose. */
function isClientClosedError(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'MongoClientClosedError' || name === 'MongoTopologyClosedError' || name === 'MongoNotConnectedError';
}
