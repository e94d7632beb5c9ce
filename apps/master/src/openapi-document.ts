import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { loadMasterConfig } from './config/master.config';
import { buildApiDocument } from './http/api-docs';
import { MasterModule } from './master.module';

/**
 * The REST API's OpenAPI document without a database or open ports: Nest's preview mode scans
 * the modules and controllers but instantiates no provider (no Mongo connection, no timers).
 */
export async function offlineApiDocument(): Promise<OpenAPIObject> {
  // Module setup logs (e.g. "dashboard not built") say nothing about the document.
  Logger.overrideLogger(false);
  // Defaults only: the document does not depend on deployment settings.
  const config = loadMasterConfig({});
  const app = await NestFactory.create(
    MasterModule.forRoot({ config, mongoUri: 'mongodb://127.0.0.1:1/openapi', apiToken: 'x'.repeat(16), clusterSecret: 'x'.repeat(16), replicaId: 'openapi' }),
    { preview: true, logger: false, abortOnError: false },
  );
  return buildApiDocument(app);
}
