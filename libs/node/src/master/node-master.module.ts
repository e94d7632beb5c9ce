import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { NODE_ENVIRONMENTS_MODEL, NODE_HISTORY_MODEL, NODE_HOST_MODEL, NODE_MODEL, NodeHistorySchema, NODE_STATUS_MODEL, NodeEnvironmentsSchema, NodeHostSchema, NodeSchema, NodeStatusSchema, REPLICA_LEASE_MODEL, ReplicaLeaseSchema } from '../node.schema';
import { ControlStreamRegistry } from './control-stream.registry';
import { NodeAdminService } from './node-admin.service';
import { NodeCache } from './node-cache.service';
import { NodeCounters } from './node-counters.service';
import { GrpcHealthService } from './grpc-health.service';
import { NodeGrpcController } from './node.grpc.controller';
import { NodeLivenessCron } from './node-liveness.cron';
import { NodeMetrics } from './node.metrics';
import { NodeRepository } from './node.repository';
import { NodeEnvironmentsRepository } from './node-environments.repository';
import { NodeEnvironmentsRecorder } from './node-environments.recorder';
import { NodeHistoryRepository } from './node-history.repository';
import { NodeHistoryRecorder } from './node-history.recorder';
import { NodeSessionService } from './node-session.service';
import { ReplicaLeaseService } from './replica-lease.service';
import { NODE_MASTER_OPTIONS, NodeMasterOptions } from './node-master.options';

@Module({})
export class NodeMasterModule {
  static forRoot(options: NodeMasterOptions): DynamicModule {
    return {
      module: NodeMasterModule,
      global: true,
      imports: [
        MongooseModule.forFeature([
          { name: NODE_MODEL, schema: NodeSchema },
          { name: NODE_HOST_MODEL, schema: NodeHostSchema },
          { name: NODE_STATUS_MODEL, schema: NodeStatusSchema },
          { name: NODE_ENVIRONMENTS_MODEL, schema: NodeEnvironmentsSchema },
          { name: NODE_HISTORY_MODEL, schema: NodeHistorySchema },
          { name: REPLICA_LEASE_MODEL, schema: ReplicaLeaseSchema },
        ]),
      ],
      controllers: [NodeGrpcController],
      providers: [
        { provide: NODE_MASTER_OPTIONS, useValue: options },
        NodeRepository,
        NodeCache,
        NodeCounters,
        ControlStreamRegistry,
        NodeSessionService,
        NodeLivenessCron,
        NodeAdminService,
        GrpcHealthService,
        NodeMetrics,
        NodeEnvironmentsRepository,
        NodeEnvironmentsRecorder,
        ReplicaLeaseService,
        NodeHistoryRepository,
        NodeHistoryRecorder,
      ],
      exports: [NodeEnvironmentsRepository, NodeHistoryRecorder, NodeHistoryRepository, NODE_MASTER_OPTIONS, NodeSessionService, NodeRepository, NodeCache, NodeCounters, ControlStreamRegistry, NodeAdminService, GrpcHealthService, NodeMetrics],
    };
  }
}
