import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { offlineApiDocument } from './openapi-document';

/**
 * Writes the REST API's OpenAPI document (scripts/openapi.sh; docs/development.md).
 * Usage: node dist/apps/master/apps/master/src/openapi.js <out.json>
 */
async function emitOpenApi(out: string): Promise<void> {
  writeFileSync(out, `${JSON.stringify(await offlineApiDocument(), null, 2)}\n`);
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
