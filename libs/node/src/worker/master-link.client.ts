import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import { EventEmitter } from 'node:events';
import { hostname, networkInterfaces } from 'node:os';
import { backoffDelay } from '../backoff';
import { FENCE_CHECK_MS, isFenced } from '../fence';
import { clusterMetadata } from '../grpc/cluster-auth';
import { createGrpcClients, GrpcClients, unaryCall } from '../grpc/grpc-clients';
import {
  AssignmentMsg,
  CancelMsg,
  EnvironmentMsg,
  HeartbeatMsg,
  MasterMessage,
  RegisterRequest,
  RegisterResponse,
  RunningAttempt,
  RuntimeMsg,
  WorkerMessage,
} from '../grpc/messages';
import { grpcClientCredentials, grpcClientTlsOptions } from '../grpc/tls-credentials';
import { loadOrCreateNodeKey } from './node-identity';
import { MASTER_LINK_OPTIONS, MasterLinkOptions } from './master-link.options';
import { readResourceUsage } from './resource-usage';

/** What the worker's task side reports on every hello and heartbeat. */
export type WorkerState = { ready: boolean; running: RunningAttempt[]; freeSlots: number };

/** What the worker's environment cache reports: tools found, and environments kept. */
export type InventoryState = { runtimes: RuntimeMsg[]; environments: EnvironmentMsg[] };

type LinkEvents = {
  assignment: [AssignmentMsg];
  cancel: [CancelMsg];
  connected: [address: string];
  disconnected: [];
  /** No master heard for longer than the fence: running tasks must stop (they may run elsewhere soon). */
  fenced: [silentMs: number, fenceMs: number];
};

const REGISTER_TIMEOUT_MS = 3000;
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2000;

/**
 * The worker's link to a master: Register, then one control stream carrying heartbeats
 * up and assignments/cancels down. On any failure it reconnects with capped backoff,
 * moving to the next master address, and re-announces what it is running.
 */
@Injectable()
export class MasterLinkClient implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(MasterLinkClient.name);
  readonly events = new EventEmitter<LinkEvents>();
  private key = '';
  private nodeIdValue = '';
  private clients: GrpcClients | undefined;
  private call: grpc.ClientDuplexStream<WorkerMessage, MasterMessage> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopped = false;
  private addressIndex = 0;
  private failures = 0;
  private stateProvider: () => WorkerState = () => ({ ready: false, running: [], freeSlots: 0 });
  private inventoryProvider: () => InventoryState = () => ({ runtimes: [], environments: [] });
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** Built once from material read at start; every channel to every master uses them. */
  private readonly credentials: grpc.ChannelCredentials;
  private readonly channelOptions: grpc.ChannelOptions;
  /** When a master last answered (registration, or any message on the control stream). */
  private lastHeardAt = Date.now();
  /** The fence the masters gave at registration (0: none). */
  private fenceMs = 0;
  private fenceTimer: NodeJS.Timeout | undefined;
  /** `fenced` is emitted once per silence, not on every check. */
  private fencedEmitted = false;
  private lastFenceCheckAt = Date.now();
  private skippedStalledCheck = false;

  constructor(@Inject(MASTER_LINK_OPTIONS) private readonly opts: MasterLinkOptions) {
    this.credentials = grpcClientCredentials(opts.tls);
    this.channelOptions = grpcClientTlsOptions(opts.tls);
  }

  get nodeId(): string {
    return this.nodeIdValue;
  }

  get metadata(): grpc.Metadata {
    return clusterMetadata(this.opts.clusterSecret);
  }

  /** The task side tells the link what to announce. */
  setStateProvider(provider: () => WorkerState): void {
    this.stateProvider = provider;
  }

  /** The environment cache tells the link which runtimes and environments to announce. */
  setInventoryProvider(provider: () => InventoryState): void {
    this.inventoryProvider = provider;
  }

  /** Clients of the master currently connected, or undefined while the link is down. */
  current(): GrpcClients | undefined {
    return this.call ? this.clients : undefined;
  }

  /** Resolves once the link is up (or rejects after `timeoutMs`). */
  async waitConnected(timeoutMs: number): Promise<GrpcClients> {
    const now = this.current();
    if (now) return now;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('connected', onUp);
        reject(new Error(`no master reachable within ${timeoutMs} ms`));
      }, timeoutMs);
      const onUp = () => {
        clearTimeout(timer);
        const c = this.current();
        if (c) resolve(c);
        else reject(new Error('master link dropped'));
      };
      this.events.once('connected', onUp);
    });
  }

  /** Sends a heartbeat now (e.g. when a slot frees) instead of at the next tick. */
  pushState(): void {
    this.sendHeartbeat();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.key = await loadOrCreateNodeKey(this.opts.workspace);
    this.fenceTimer = setInterval(() => this.checkFence(), FENCE_CHECK_MS);
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.fenceTimer);
    this.wake?.();
    this.teardownCall();
    this.clients?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const address = this.opts.masters[this.addressIndex % this.opts.masters.length];
      try {
        await this.connectOnce(address);
      } catch (err) {
        // Our own shutdown cancels the call: expected, not a failure of the link.
        if (this.stopped) this.log.debug({ msg: 'master link closed at shutdown', address });
        else this.log.warn({ msg: 'master link failed', address, err: errorText(err) });
      }
      this.teardownCall();
      if (this.stopped) break;
      this.events.emit('disconnected');
      this.addressIndex++;
      const delay = backoffDelay(this.failures++, BACKOFF_BASE_MS, BACKOFF_CAP_MS);
      await new Promise<void>((resolve) => {
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(finish, delay);
        this.wake = finish;
        this.wakeWhenReachable(finish, Date.now() + delay);
      });
    }
  }

  /**
   * Ends a backoff early when the channel, retrying on its own short schedule, gets through:
   * the link is back, so waiting out the rest of a 2 s backoff would only delay taskReady.
   * Not when the channel was already up (the failure was not the link's): that keeps the backoff.
   */
  private wakeWhenReachable(wake: () => void, deadline: number): void {
    const channel = this.clients?.node.getChannel();
    if (!channel) return;
    const watch = (state: grpc.connectivityState) => {
      if (state === grpc.connectivityState.READY || state === grpc.connectivityState.SHUTDOWN) return;
      channel.watchConnectivityState(state, deadline, (err) => {
        if (err) return; // the deadline passed: the backoff timer wakes the loop
        const now = channel.getConnectivityState(true); // true: keep connecting while idle
        if (now === grpc.connectivityState.READY) wake();
        else watch(now);
      });
    };
    watch(channel.getConnectivityState(true));
  }

  /** One connection's life: resolves/rejects when the control stream ends. */
  private async connectOnce(address: string): Promise<void> {
    if (this.clients?.address !== address) {
      this.clients?.close();
      this.clients = createGrpcClients(address, this.credentials, this.channelOptions);
    }
    const clients = this.clients;
    const res = await unaryCall<RegisterRequest, RegisterResponse>(
      clients.node,
      'Register',
      this.registration(),
      this.metadata,
      REGISTER_TIMEOUT_MS,
    );
    this.nodeIdValue = res.nodeId;
    this.fenceMs = res.fenceMs > 0 ? res.fenceMs : 0;
    this.heard();
    await new Promise<void>((resolve, reject) => {
      const call = (clients.node as unknown as {
        Connect(md: grpc.Metadata): grpc.ClientDuplexStream<WorkerMessage, MasterMessage>;
      }).Connect(this.metadata);
      this.call = call;
      call.on('data', (m: MasterMessage) => this.onMessage(m));
      call.on('error', (err) => reject(err));
      call.on('end', () => resolve());
      const state = this.stateProvider();
      call.write({ hello: { nodeId: res.nodeId, key: this.key, ready: state.ready, running: state.running } });
      const interval = res.heartbeatIntervalMs > 0 ? res.heartbeatIntervalMs : this.opts.heartbeatMs;
      this.heartbeat = setInterval(() => this.sendHeartbeat(), interval);
      this.failures = 0;
      this.addressIndex = this.opts.masters.indexOf(address);
      this.log.log({ msg: 'connected to master', address, nodeId: res.nodeId, replica: res.replica });
      this.events.emit('connected', address);
    });
  }

  private onMessage(m: MasterMessage): void {
    this.heard();
    if ('assignment' in m && m.assignment) this.events.emit('assignment', m.assignment);
    else if ('cancel' in m && m.cancel) this.events.emit('cancel', m.cancel);
  }

  private heard(): void {
    this.lastHeardAt = Date.now();
    this.fencedEmitted = false;
  }

  private checkFence(): void {
    const now = Date.now();
    // A check that comes late means this process was stalled (CPU starved, paused): pings may
    // sit unread in the socket, and timers run before I/O in the event loop. Skip this tick so
    // they are read first; only one tick in a row, so a process starved for good still fences.
    const stalled = now - this.lastFenceCheckAt > 2 * FENCE_CHECK_MS;
    this.lastFenceCheckAt = now;
    if (stalled && !this.skippedStalledCheck) {
      this.skippedStalledCheck = true;
      return;
    }
    this.skippedStalledCheck = false;
    if (this.fencedEmitted || !isFenced(now, this.lastHeardAt, this.fenceMs)) return;
    this.fencedEmitted = true;
    this.log.warn({ msg: 'fenced: no master heard; stopping running tasks', silentMs: now - this.lastHeardAt, fenceMs: this.fenceMs });
    this.events.emit('fenced', now - this.lastHeardAt, this.fenceMs);
  }

  private sendHeartbeat(): void {
    if (!this.call) return;
    const state = this.stateProvider();
    const usage = readResourceUsage(this.opts.workspace);
    const hb: HeartbeatMsg = {
      runningTasks: state.running.length,
      ready: state.ready,
      freeSlots: state.freeSlots,
      running: state.running,
      cpuPercent: usage.cpuPercent,
      memoryBytes: usage.memoryBytes,
      diskFreeBytes: usage.diskFreeBytes,
      sentAtMs: Date.now(),
      environments: this.inventoryProvider().environments,
    };
    try {
      this.call.write({ heartbeat: hb });
    } catch (err) {
      this.log.debug({ msg: 'heartbeat write failed', err: errorText(err) });
    }
  }

  private teardownCall(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const call = this.call;
    this.call = undefined;
    if (call) {
      call.removeAllListeners('data');
      call.on('error', () => undefined); // cancelling emits a CANCELLED error we caused
      call.cancel();
    }
  }

  private registration(): RegisterRequest {
    return {
      key: this.key,
      name: this.opts.nodeName ?? hostname(),
      hostname: hostname(),
      ip: firstExternalIp(),
      labels: this.opts.labels,
      maxRunners: this.opts.maxRunners,
      version: this.opts.version,
      runtimes: this.inventoryProvider().runtimes,
    };
  }
}

function firstExternalIp(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) return i.address;
  }
  return '127.0.0.1';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
