import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { ScheduleModule } from '@nestjs/schedule';
import { NodeMasterModule } from '@crawlnest/node';
import { SyncMasterModule } from '@crawlnest/sync';
import { TaskMasterModule } from '@crawlnest/task';
import { DomainErrorFilter } from './http/domain-error.filter';
import { HealthHttpController } from './http/health.http.controller';
import { NodesHttpController } from './http/nodes.http.controller';
import { SpidersHttpController } from './http/spiders.http.controller';
import { StatsHttpController } from './http/stats.http.controller';
import { TasksHttpController } from './http/tasks.http.controller';
import { API_TOKEN, BearerAuthGuard } from './security/bearer-auth.guard';
import { REPLICA_ID } from './tokens';
import type { MasterConfig } from './config/master.config';

export type MasterRuntime = {
  config: MasterConfig;
  mongoUri: string;
  apiToken: string;
  clusterSecret: string;
  replicaId: string;
};

/** Wires the libs' master sides together and exposes the REST controllers. */
@Module({})
export class MasterModule {
  static forRoot(rt: MasterRuntime): DynamicModule {
    const { config } = rt;
    return {
      module: MasterModule,
      imports: [
        MongooseModule.forRoot(rt.mongoUri, {
          dbName: config.dbName,
          serverSelectionTimeoutMS: 5000,
          // FerretDB 1.x has no sessions: keep the driver from needing them.
          retryWrites: false,
        }),
        ScheduleModule.forRoot(),
        NodeMasterModule.forRoot({
          replicaId: rt.replicaId,
          clusterSecret: rt.clusterSecret,
          heartbeatMs: config.heartbeatMs,
          nodeTimeoutMs: config.nodeTimeoutMs,
          nodeReloadMs: config.nodeReloadMs,
        }),
        SyncMasterModule.forRoot({
          clusterSecret: rt.clusterSecret,
          maxUploadBytes: config.maxUploadBytes,
          maxTotalBytes: config.maxUploadBytes * 4,
          maxFiles: 20_000,
        }),
        TaskMasterModule.forRoot({
          replicaId: rt.replicaId,
          clusterSecret: rt.clusterSecret,
          dispatchPollMs: config.dispatchPollMs,
          ackTimeoutMs: config.ackTimeoutMs,
        }),
      ],
      controllers: [HealthHttpController, StatsHttpController, NodesHttpController, SpidersHttpController, TasksHttpController],
      providers: [
        { provide: API_TOKEN, useValue: rt.apiToken },
        { provide: REPLICA_ID, useValue: rt.replicaId },
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: APP_FILTER, useClass: DomainErrorFilter },
      ],
    };
  }
}
