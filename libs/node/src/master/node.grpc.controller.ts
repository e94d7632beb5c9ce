import { Controller, Inject, Logger } from '@nestjs/common';
import { GrpcMethod, GrpcStreamCall } from '@nestjs/microservices';
import type { Metadata, ServerDuplexStream } from '@grpc/grpc-js';
import { assertClusterSecret, hasClusterSecret, UNAUTHENTICATED_ERROR } from '../grpc/cluster-auth';
import { MasterMessage, RegisterRequest, RegisterResponse, WorkerMessage } from '../grpc/messages';
import { NodeSessionService } from './node-session.service';
import { NODE_MASTER_OPTIONS, NodeMasterOptions } from './node-master.options';

@Controller()
export class NodeGrpcController {
  private readonly log = new Logger(NodeGrpcController.name);

  constructor(
    private readonly sessions: NodeSessionService,
    @Inject(NODE_MASTER_OPTIONS) private readonly opts: NodeMasterOptions,
  ) {}

  @GrpcMethod('NodeService', 'Register')
  async register(req: RegisterRequest, metadata: Metadata): Promise<RegisterResponse> {
    assertClusterSecret(metadata, this.opts.clusterSecret, 'Register', this.log);
    return this.sessions.register(req);
  }

  @GrpcStreamCall('NodeService', 'Connect')
  connect(call: ServerDuplexStream<WorkerMessage, MasterMessage>): void {
    if (!hasClusterSecret(call.metadata, this.opts.clusterSecret)) {
      this.log.warn({ msg: 'gRPC call refused: bad cluster secret', rpc: 'Connect' });
      call.emit('error', { code: UNAUTHENTICATED_ERROR.code, details: UNAUTHENTICATED_ERROR.message });
      return;
    }
    this.sessions.attach(call);
  }
}
