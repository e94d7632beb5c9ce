import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { NodeWorkerModule, pinoParams } from '@crawlnest/node';
import { EnvWorkerModule } from '@crawlnest/sync';
import { TaskWorkerModule } from '@crawlnest/task';
import { ResultsWorkerModule } from '@crawlnest/results';
import type { WorkerConfig } from './config/worker.config';

export const CRAWLNEST_VERSION = '0.1.0';

/** The worker: a link to a master, and the task runner behind it. */
@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig, clusterSecret: string): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        LoggerModule.forRoot(pinoParams(config.logging, { component: 'worker', node: config.nodeName ?? '' })),
        NodeWorkerModule.forRoot({
          masters: config.masters,
          clusterSecret,
          workspace: config.workspace,
          nodeName: config.nodeName,
          labels: config.labels,
          maxRunners: config.maxRunners,
          heartbeatMs: config.heartbeatMs,
          version: CRAWLNEST_VERSION,
          tls: config.grpcTls,
        }),
        EnvWorkerModule.forRoot({ workspace: config.workspace, ...config.environments }),
        TaskWorkerModule.forRoot({
          workspace: config.workspace,
          maxRunners: config.maxRunners,
          killGraceMs: config.killGraceMs,
          logBatchMs: config.logBatchMs,
          shutdownMode: config.shutdownMode,
          maxResultLineBytes: config.maxResultLineBytes,
        }),
        ResultsWorkerModule.forRoot({ batchMs: config.logBatchMs, maxItemBytes: config.maxItemBytes }),
      ],
    };
  }
}
