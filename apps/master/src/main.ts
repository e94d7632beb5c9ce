import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import {
  ConfigError,
  pinoParams,
  GrpcHealthService,
  grpcServerCredentials,
  stopOnSignals,
  protoLoaderOptions,
  protoPaths,
  PROTO_PACKAGES,
  serverChannelOptions,
} from '@crawlnest/node';
import { loadMasterConfig, MasterConfig } from './config/master.config';
import { acquireEmbeddedDatabase, EmbeddedDatabase, EmbeddedDatabaseError } from './database/embedded-ferretdb';
import { MasterGrpcServer } from './grpc/master-grpc.server';
import { shutdownMaster } from './lifecycle/graceful-shutdown';
import { ShutdownSignal } from './lifecycle/shutdown-signal';
import { setupApiDocs } from './http/api-docs';
import { jsonBodyExceptFileRoutes } from './http/json-body.middleware';
import { MasterModule, masterLogBase } from './master.module';
import { loadOrCreateSecret } from './security/secrets';
import { UsersService } from './access';
import { devAdminBanner, ensureDevAdmin } from './security/dev-admin';

const log = new Logger('Master');


async function secrets(config: MasterConfig): Promise<{ apiToken: string; clusterSecret: string; secretsKey: string }> {
  const embedded = !config.mongoUri;
  if (!embedded && (!config.apiToken || !config.clusterSecret)) {
    throw new ConfigError([
      'CRAWLNEST_API_TOKEN and CRAWLNEST_CLUSTER_SECRET: required (16+ characters) when CRAWLNEST_MONGO_URI is set; ' +
        'they are only generated for the embedded default',
    ]);
  }
  const apiToken = config.apiToken ?? (await loadOrCreateSecret(config.dataDir, 'api-token')).value;
  const clusterSecret = config.clusterSecret ?? (await loadOrCreateSecret(config.dataDir, 'cluster-secret')).value;
  // Notification secrets at rest: every replica must hold the same key, so outside the embedded
  // default an unset key is derived from the cluster secret they all share (set one to rotate them apart).
  const secretsKey =
    config.secretsKey ?? (embedded ? (await loadOrCreateSecret(config.dataDir, 'secrets-key')).value : `derived-from-cluster-secret:${clusterSecret}`);
  return { apiToken, clusterSecret, secretsKey };
}

async function bootstrap(): Promise<void> {
  const config = loadMasterConfig();
  const replicaId = config.replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  // What is logged before the app exists (the embedded database starting) goes through the
  // same pino root as everything after, so the output stays one JSON object per line.
  const logParams = pinoParams(config.logging, masterLogBase(replicaId));
  Logger.overrideLogger(new NestPinoLogger(new PinoLogger(logParams), logParams));
  const { apiToken, clusterSecret, secretsKey } = await secrets(config);
  let embedded: EmbeddedDatabase | undefined;
  const mongoUri = config.mongoUri ?? (embedded = await acquireEmbeddedDatabase(config.dataDir, config.embeddedDbPort)).uri;

  const app = await NestFactory.create<NestExpressApplication>(
    MasterModule.forRoot({ config, mongoUri, apiToken, clusterSecret, replicaId, secretsKey }),
    { bodyParser: false, bufferLogs: true },
  );
  app.useLogger(app.get(NestPinoLogger));
  // JSON everywhere but spider file uploads: their controller streams the raw body to disk
  // itself (a file named settings.json is content, not a request to parse).
  app.use(jsonBodyExceptFileRoutes('1mb'));
  setupApiDocs(app);
  const grpcHealth = app.get(GrpcHealthService);
  const grpcServer = new MasterGrpcServer({
    package: Object.values(PROTO_PACKAGES),
    protoPath: protoPaths(),
    url: `${config.grpcHost}:${config.grpcPort}`,
    loader: protoLoaderOptions(),
    channelOptions: serverChannelOptions(),
    gracefulShutdown: true,
    credentials: grpcServerCredentials(config.grpcTls),
    // Nest hands over the grpc-js Server here (ServerGrpc.unwrap() is unsupported): the
    // health service goes on the same port and credentials, outside the secret checks.
    onLoadPackageDefinition: (definition: Record<string, object>, server: GrpcServer) =>
      grpcHealth.addToServer(server, definition),
  });
  app.connectMicroservice({ strategy: grpcServer }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(config.httpPort, config.httpHost);
  grpcHealth.markStarted();
  stopOnSignals(log, () =>
    shutdownMaster(app, log, {
      announce: () => {
        grpcHealth.markStopping();
        app.get(ShutdownSignal).markStopping();
      },
      closeGrpc: () => grpcServer.closeGracefully(),
      forceGrpc: () => grpcServer.forceClose(),
      afterApp: embedded ? () => embedded.release() : undefined,
    }),
  );

  // After the ports open (the worker, started alongside, links at once), before the banner that shows the password.
  const devAdmin = config.devAdmin ? await ensureDevAdmin(app.get(UsersService), config.dataDir) : null;
  const shownHost = config.httpHost === '0.0.0.0' ? '127.0.0.1' : config.httpHost;
  log.log({ msg: 'master ready', replica: replicaId, http: config.httpPort, grpc: config.grpcPort, grpcTls: grpcTlsMode(config), db: embedded ? 'embedded FerretDB' : 'CRAWLNEST_MONGO_URI' });
  // Printed plainly so a person (and the test harness) can read it at a glance; on stderr,
  // so stdout stays one JSON object per line for whatever reads the logs (jq, a collector).
  process.stderr.write(
    `\nCrawlnest master ready\n  REST API:  http://${shownHost}:${config.httpPort}/api\n  gRPC:      ${shownHost}:${config.grpcPort}\n` +
      `  API token: ${apiToken}\n  Try:       curl -H "Authorization: Bearer ${apiToken}" http://${shownHost}:${config.httpPort}/api/nodes\n` +
      (devAdmin ? devAdminBanner(devAdmin, config.dataDir) : '') +
      '\n',
  );
}

function grpcTlsMode(config: MasterConfig): 'off' | 'tls' | 'mtls' {
  if (!config.grpcTls) return 'off';
  return config.grpcTls.clientCa ? 'mtls' : 'tls';
}

bootstrap().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof EmbeddedDatabaseError) {
    process.stderr.write(`crawlnest master: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`crawlnest master failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
