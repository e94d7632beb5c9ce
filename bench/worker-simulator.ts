import type { ClientDuplexStream, Metadata } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { clusterMetadata } from '../libs/node/src/grpc/cluster-auth';
import { createGrpcClients, GrpcClients, unaryCall } from '../libs/node/src/grpc/grpc-clients';
import { MasterMessage, RegisterRequest, RegisterResponse, WorkerMessage } from '../libs/node/src/grpc/messages';

type Sim = { clients: GrpcClients; call: ClientDuplexStream<WorkerMessage, MasterMessage>; timer: NodeJS.Timeout };

/**
 * Many workers in one process, speaking the real node protocol (Register, then one Connect
 * stream: hello, heartbeats every interval the master gives). Each has its own connection,
 * as separate machines would. No tasks run: this measures what liveness alone costs the master.
 */
export class WorkerSimulator {
  private readonly sims: Sim[] = [];
  private errors = 0;
  registerRetries = 0;
  private stopped = false;
  private readonly keys: string[] = [];

  constructor(
    private readonly address: string,
    private readonly secret: string,
    /** Whether the workers say they take tasks (then the task dispatcher works on them too). */
    private readonly ready: boolean,
    private readonly ownConnections: boolean,
  ) {}

  get streamErrors(): number {
    return this.errors;
  }

  /** Starts `count` workers spread over `spreadMs`, so heartbeats do not all fall on one tick. */
  async start(count: number, spreadMs: number): Promise<void> {
    const starts: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      starts.push(new Promise((r) => setTimeout(r, (spreadMs * i) / count)).then(() => this.startOne(i)));
    }
    await Promise.all(starts);
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.sims.splice(0)) {
      clearInterval(s.timer);
      s.call.on('error', () => undefined); // the cancel below surfaces as CANCELLED
      s.call.cancel();
      s.clients.close();
    }
  }

  /** Like a real worker, retries a registration the master was too busy to answer. */
  private async register(clients: GrpcClients, reg: RegisterRequest, md: Metadata): Promise<RegisterResponse> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await unaryCall<RegisterRequest, RegisterResponse>(clients.node, 'Register', reg, md, 10_000);
      } catch (err) {
        this.registerRetries++;
        if (attempt >= 30 || this.stopped) throw err;
      }
    }
  }

  private async startOne(i: number): Promise<void> {
    // With a local subchannel pool each simulated worker has its own TCP connection, as
    // separate machines would; shared, all streams ride one connection (cheaper for the client).
    const clients = createGrpcClients(this.address, undefined, this.ownConnections ? { 'grpc.use_local_subchannel_pool': 1 } : {});
    const md = clusterMetadata(this.secret);
    // The key is the worker's identity: a reconnect must update its node, not add one.
    const key = (this.keys[i] ??= randomUUID());
    const reg: RegisterRequest = { key, name: `sim-${i}`, hostname: `sim-${i}`, ip: '127.0.0.1', labels: [], maxRunners: 4, version: 'sim' };
    const res = await this.register(clients, reg, md);
    const call = (clients.node as unknown as { Connect(md: unknown): ClientDuplexStream<WorkerMessage, MasterMessage> }).Connect(md);
    let timer: NodeJS.Timeout | undefined;
    let gone = false;
    const reconnect = () => {
      // Like a real worker: a stream the master ended or refused is opened again.
      if (gone || this.stopped) return;
      gone = true;
      this.errors++;
      clearInterval(timer);
      clients.close();
      setTimeout(() => {
        this.startOne(i).catch(() => {
          this.errors++;
        });
      }, 200);
    };
    call.on('error', reconnect);
    call.on('end', reconnect);
    call.on('data', () => undefined);
    call.write({ hello: { nodeId: res.nodeId, key, ready: this.ready, running: [] } });
    timer = setInterval(() => {
      call.write({
        heartbeat: {
          runningTasks: 0,
          running: [],
          ready: this.ready,
          freeSlots: 4,
          cpuPercent: 5 + (i % 10),
          memoryBytes: 1_000_000_000,
          diskFreeBytes: 50_000_000_000,
          sentAtMs: Date.now(),
        },
      });
    }, res.heartbeatIntervalMs);
    this.sims.push({ clients, call, timer });
  }
}
