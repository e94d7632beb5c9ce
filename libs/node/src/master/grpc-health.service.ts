import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import * as grpc from '@grpc/grpc-js';
import { service as healthServiceDefinition } from 'grpc-health-check';
import type { Connection } from 'mongoose';
import { HealthState, serviceNames, ServingStatus, servingStatus } from '../grpc/health-status';

type CheckRequest = { service: string };
type CheckResponse = { status: ServingStatus | 'SERVICE_UNKNOWN' };
type WatchCall = grpc.ServerWritableStream<CheckRequest, CheckResponse>;

const MONGOOSE_CONNECTED = 1;
const CONNECTION_EVENTS = ['connected', 'reconnected', 'disconnected', 'close'] as const;

/**
 * grpc.health.v1.Health on the master's gRPC server, for load balancers and probes: no
 * cluster secret. The whole server ("") and each of our services report one status:
 * SERVING once the master is up, NOT_SERVING while it starts, stops, or has lost its
 * database connection. Registered straight on the grpc-js Server (not a Nest controller)
 * so it shares the port and the TLS credentials without going through the secret checks.
 *
 * Written here rather than grpc-health-check's HealthImplementation because that one never
 * ends a Watch stream, and an open stream would hold the graceful gRPC shutdown forever.
 */
@Injectable()
export class GrpcHealthService implements OnModuleDestroy {
  private readonly log = new Logger(GrpcHealthService.name);
  private readonly services = new Set<string>(['']);
  private readonly watches = new Map<WatchCall, CheckResponse['status']>();
  private readonly state: HealthState;
  private attached = false;
  private readonly onConnectionChange = () => this.update({ databaseUp: this.db.readyState === MONGOOSE_CONNECTED });

  constructor(@InjectConnection() private readonly db: Connection) {
    this.state = { started: false, stopping: false, databaseUp: db.readyState === MONGOOSE_CONNECTED };
    for (const e of CONNECTION_EVENTS) db.on(e, this.onConnectionChange);
  }

  /** Adds the Health service to the server and names the services it reports on. */
  addToServer(server: grpc.Server, packageDefinition: Record<string, object>): void {
    for (const name of serviceNames(packageDefinition)) this.services.add(name);
    if (this.attached) return;
    this.attached = true;
    server.addService(healthServiceDefinition as unknown as grpc.ServiceDefinition, {
      check: (call: grpc.ServerUnaryCall<CheckRequest, CheckResponse>, done: grpc.sendUnaryData<CheckResponse>) => {
        const status = this.statusOf(call.request.service);
        if (status === 'SERVICE_UNKNOWN') done({ code: grpc.status.NOT_FOUND, details: `unknown service ${call.request.service}` });
        else done(null, { status });
      },
      watch: (call: WatchCall) => this.watch(call),
      list: (_call: grpc.ServerUnaryCall<unknown, unknown>, done: grpc.sendUnaryData<unknown>) => {
        const statuses: Record<string, CheckResponse> = {};
        for (const s of this.services) statuses[s] = { status: servingStatus(this.state) };
        done(null, { statuses });
      },
    });
  }

  /** The master is up: report SERVING (unless the database is down). */
  markStarted(): void {
    this.update({ started: true });
  }

  /** Shutdown began: NOT_SERVING from now on, and open Watch streams end after saying so. */
  markStopping(): void {
    if (this.state.stopping) return;
    this.update({ stopping: true });
    for (const call of [...this.watches.keys()]) this.endWatch(call);
  }

  onModuleDestroy(): void {
    this.markStopping();
    for (const e of CONNECTION_EVENTS) this.db.off(e, this.onConnectionChange);
  }

  private statusOf(service: string): CheckResponse['status'] {
    return this.services.has(service) ? servingStatus(this.state) : 'SERVICE_UNKNOWN';
  }

  private watch(call: WatchCall): void {
    this.watches.set(call, this.statusOf(call.request.service));
    call.write({ status: this.statusOf(call.request.service) });
    call.on('cancelled', () => this.watches.delete(call));
    if (this.state.stopping) this.endWatch(call);
  }

  private endWatch(call: WatchCall): void {
    this.watches.delete(call);
    call.end();
  }

  private update(change: Partial<HealthState>): void {
    const before = servingStatus(this.state);
    Object.assign(this.state, change);
    const now = servingStatus(this.state);
    if (now === before) return;
    this.log.log({ msg: 'gRPC health changed', status: now, ...this.state });
    for (const [call, sent] of this.watches) {
      const status = this.statusOf(call.request.service);
      if (status === sent) continue;
      this.watches.set(call, status);
      call.write({ status });
    }
  }
}
