import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, stopOnSignals } from '@crawlnest/node';
import { loadWorkerConfig, WorkerConfig } from './config/worker.config';
import { WorkerModule } from './worker.module';

const log = new Logger('Worker');

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
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, secret));
  stopOnSignals(log, () => app.close());
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
