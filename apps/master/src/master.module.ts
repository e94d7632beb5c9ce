import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { ScheduleModule } from '@nestjs/schedule';
import { MulterModule } from '@nestjs/platform-express';
import { LoggerModule } from 'nestjs-pino';
import { TerminusModule } from '@nestjs/terminus';
import { join } from 'node:path';
import { NodeMasterModule, pinoParams } from '@crawlnest/node';
import { SyncMasterModule } from '@crawlnest/sync';
import { TaskMasterModule } from '@crawlnest/task';
import { ResultsMasterModule } from '@crawlnest/results';
import { NotifyMasterModule } from '@crawlnest/notify';
import { DomainErrorFilter } from './http/domain-error.filter';
import { dashboardModules } from './http/dashboard.static';
import { MetricsModule } from './metrics/metrics.module';
import { HealthHttpController } from './http/health.http.controller';
import { NodesHttpController } from './http/nodes.http.controller';
import { SpiderVersionsHttpController } from './http/spider-versions.http.controller';
import { SpiderChangesHttpController } from './http/spider-changes.http.controller';
import { SpiderStatsHttpController } from './http/spider-stats.http.controller';
import { LimitsHttpController } from './http/limits.http.controller';
import { SpidersHttpController } from './http/spiders.http.controller';
import { SchedulesHttpController } from './http/schedules.http.controller';
import { StatsHttpController } from './http/stats.http.controller';
import { TasksHttpController } from './http/tasks.http.controller';
import { ResultsHttpController } from './http/results.http.controller';
import { NotificationsHttpController } from './http/notifications.http.controller';
import { RestValidationPipe } from './http/rest-validation.pipe';
import { AccessModule } from './access';
import { REPLICA_ID } from './tokens';
import { UploadStagingStorage } from './http/upload-staging.storage';
import type { MasterConfig } from './config/master.config';
import { ShutdownSignal } from './lifecycle/shutdown-signal';
import { ScrapydModule } from './scrapyd/scrapyd.module';
import { GitModule } from './git/git.module';
import { hostname } from 'node:os';

export type MasterRuntime = {
  config: MasterConfig;
  mongoUri: string;
  apiToken: string;
  clusterSecret: string;
  replicaId: string;
  /** Key material for notification secrets at rest (main.ts decides where it comes from). */
  secretsKey?: string;
};

/** Fields on every master log line. */
export function masterLogBase(replicaId: string): Record<string, string> {
  return { component: 'master', replica: replicaId };
}

/** Wires the libs' master sides together and exposes the REST controllers. */
@Module({})
export class MasterModule {
  static forRoot(rt: MasterRuntime): DynamicModule {
    // One key seals every secret at rest (notification channels, git credentials); main.ts always sets it.
    const secretsKey = rt.secretsKey ?? `derived-from-cluster-secret:${rt.clusterSecret}`;
    const { config } = rt;
    const upload = {
      uploadDir: join(config.dataDir, 'uploads'),
      maxUploadBytes: config.maxUploadBytes,
      maxTotalBytes: config.maxTreeBytes,
      maxFiles: config.maxTreeFiles,
    };
    return {
      module: MasterModule,
      imports: [
        LoggerModule.forRoot(pinoParams(config.logging, masterLogBase(rt.replicaId))),
        MongooseModule.forRoot(rt.mongoUri, {
          dbName: config.dbName,
          serverSelectionTimeoutMS: 5000,
          // After a database outage the driver finds the server again within about a second
          // (its monitor re-checks at this rate) instead of the default 10 s; connects that
          // hang fail fast so the monitor tries again.
          heartbeatFrequencyMS: 1000,
          connectTimeoutMS: 5000,
          // Command events feed crawlnest_db_commands_total (round trips per task in benchmarks).
          monitorCommands: true,
          // FerretDB 1.x has no sessions: keep the driver from needing them.
          retryWrites: false,
        }),
        ScheduleModule.forRoot(),
        // Health checks log their own failures; the health body already says what failed.
        TerminusModule.forRoot({ logger: false }),
        NodeMasterModule.forRoot({
          replicaId: rt.replicaId,
          clusterSecret: rt.clusterSecret,
          heartbeatMs: config.heartbeatMs,
          nodeTimeoutMs: config.nodeTimeoutMs,
          nodeReloadMs: config.nodeReloadMs,
          fenceMs: config.fenceMs,
          historySlotMs: config.nodeHistorySlotMs,
        }),
        SyncMasterModule.forRoot({
          clusterSecret: rt.clusterSecret,
          ...upload,
          keepVersions: config.keepVersions,
          storageGcIntervalMs: config.storageGcMs,
          blobGraceMs: config.blobGraceMs,
          blobCacheDir: join(config.dataDir, 'blob-cache'),
          blobCacheBytes: config.blobCacheBytes,
        }),
        // Multipart parts are streamed to files under the data dir, never buffered in memory.
        MulterModule.register({ storage: new UploadStagingStorage(upload), limits: { fieldSize: 1024 * 1024 } }),
        TaskMasterModule.forRoot({
          replicaId: rt.replicaId,
          clusterSecret: rt.clusterSecret,
          dispatchPollMs: config.dispatchPollMs,
          ackTimeoutMs: config.ackTimeoutMs,
          orphanGraceMs: config.orphanGraceMs,
          nodeTimeoutMs: config.nodeTimeoutMs,
          pendingTimeoutMs: config.pendingTimeoutMs,
          stuckPendingMs: config.stuckPendingMs,
          retention: config.retention,
        }),
        ResultsMasterModule.forRoot({ clusterSecret: rt.clusterSecret, maxItemBytes: config.maxItemBytes, dedupBackfillBatch: config.dedupBackfillBatch, replicaId: rt.replicaId }),
        // Users, projects, sessions, tokens, audit, and the guard on every REST route.
        AccessModule.forRoot({
          rootToken: rt.apiToken,
          sessionIdleMs: config.sessionIdleMs,
          sessionMaxMs: config.sessionMaxMs,
          auditRetentionDays: config.auditRetentionDays,
          loginMaxFailures: 5,
          loginWindowMs: 5 * 60_000,
        }),
        NotifyMasterModule.forRoot({
          replicaId: rt.replicaId,
          secretsKey,
          publicUrl: config.publicUrl ?? `http://${config.httpHost === '0.0.0.0' ? '127.0.0.1' : config.httpHost}:${config.httpPort}`,
          ...config.notify,
        }),
        MetricsModule.forRoot({ host: config.metricsHost, port: config.metricsPort }),
        ScrapydModule.forRoot({ nodeName: hostname(), listTimeoutMs: config.scrapydListTimeoutMs, upload }),
        GitModule.forRoot({
          cacheDir: join(config.dataDir, 'git'),
          secretsKey,
          webhookSecret: config.gitWebhookSecret,
          replicaId: rt.replicaId,
          autoPullTickMs: config.gitAutoPullTickMs,
        }),
        // The web dashboard at / (apps/web, built to dist/web).
        ...dashboardModules(),
      ],
      controllers: [HealthHttpController, StatsHttpController, NodesHttpController, SpidersHttpController, SpiderVersionsHttpController, SpiderChangesHttpController, SpiderStatsHttpController, LimitsHttpController, TasksHttpController, SchedulesHttpController, ResultsHttpController, NotificationsHttpController],
      providers: [
        { provide: REPLICA_ID, useValue: rt.replicaId },
        ShutdownSignal,
        { provide: APP_FILTER, useClass: DomainErrorFilter },
        { provide: APP_PIPE, useClass: RestValidationPipe },
      ],
    };
  }
}
