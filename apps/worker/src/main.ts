import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger, PinoLogger as RootLogger } from 'nestjs-pino';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, MasterLinkClient, stopOnSignals } from '@crawlnest/node';
import { TaskRunnerService } from '@crawlnest/task';
import { loadWorkerConfig, WorkerConfig } from './config/worker.config';
import { WorkerModule } from './worker.module';

const log = new Logger('Worker');

/** After the drain window and the kill grace, reports and logs get this long to reach the master. */
const FLUSH_BUDGET_MS = 3000;

/**
 * The cluster secret from the environment, or, for a worker beside an embedded-default
 * master on the same machine, the one that master generated in the shared data dir.
 */
async function clusterSecret(config: WorkerConfig): Promise<string> {
  if (config.clusterSecret) return config.clusterSecret;
  const file = join(config.dataDir, 'cluster-secret');
  try {
    const s = (await readFile(file, 'utf8')).trim();
    if (s.length >= 16) return s;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  throw new ConfigError([
    `CRAWLNEST_CLUSTER_SECRET: required (16+ characters); none set and no master-generated secret at ${file}`,
  ]);
}

async function bootstrap(): Promise<void> {
  const config = loadWorkerConfig();
  config.workspace = resolve(config.workspace);
  const secret = await clusterSecret(config);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, secret), { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  // Every line this worker writes carries its node id once the master has given it one.
  const link = app.get(MasterLinkClient);
  // Out of any request scope a PinoLogger's `logger` is the process-wide pino logger (the
  // static `PinoLogger.root` is set only by the HTTP middleware, which a worker has not).
  const rootLogger = (await app.resolve(RootLogger)).logger;
  link.events.once('connected', () => rootLogger.setBindings({ nodeId: link.nodeId }));
  // SIGTERM: drain (no new tasks, running ones finish or are cancelled with a reason, logs
  // and reports flushed over the still-open link), then close the link. A master that cannot
  // be reached must not keep the worker up: the hard deadline exits anyway, and the master
  // then handles those runs as orphans.
  stopOnSignals(log, async () => {
    const t0 = Date.now();
    const deadlineMs = config.drainMs + config.killGraceMs + FLUSH_BUDGET_MS;
    setTimeout(() => {
      log.error({ msg: 'drain deadline passed; exiting with runs unreported', deadlineMs });
      process.exit(1);
    }, deadlineMs).unref();
    const drained = await app.get(TaskRunnerService).drain(config.drainMs);
    log.log({ msg: 'drained', ...drained, ms: Date.now() - t0 });
    await app.close();
    log.log({ msg: 'worker stopped', ms: Date.now() - t0 });
  });
  await app.init();
  log.log({ msg: 'worker started', masters: config.masters.join(','), grpcTls: !config.grpcTls ? 'off' : config.grpcTls.cert ? 'mtls' : 'tls', workspace: config.workspace, maxRunners: config.maxRunners });
}

bootstrap().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`crawlnest worker: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`crawlnest worker failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
