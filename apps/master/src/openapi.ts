import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { loadMasterConfig } from './config/master.config';
import { buildApiDocument } from './http/api-docs';
import { MasterModule } from './master.module';

/**
 * Writes the REST API's OpenAPI document without a database or open ports: Nest's preview mode
 * scans the modules and controllers but instantiates no provider (no Mongo connection, no timers).
 * Usage: node dist/apps/master/apps/master/src/openapi.js <out.json>
 */
async function emitOpenApi(out: string): Promise<void> {
  // Module setup logs (e.g. "dashboard not built") say nothing about the document.
  Logger.overrideLogger(false);
  // Defaults only: the document does not depend on deployment settings.
  const config = loadMasterConfig({});
  const app = await NestFactory.create(
    MasterModule.forRoot({ config, mongoUri: 'mongodb://127.0.0.1:1/openapi', apiToken: 'x'.repeat(16), clusterSecret: 'x'.repeat(16), replicaId: 'openapi' }),
    { preview: true, logger: false, abortOnError: false },
  );
  const document = buildApiDocument(app);
  writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
}

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: openapi.js <out.json>\n');
  process.exit(2);
}
emitOpenApi(out).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`openapi: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
