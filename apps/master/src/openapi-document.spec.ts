import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { offlineApiDocument } from './openapi-document';

type Schema = { $ref?: string; type?: string; items?: Schema; properties?: Record<string, Schema>; allOf?: Schema[] };
type Response = { content?: Record<string, { schema?: Schema }> };

/** The names the clients' types are generated under (scripts/openapi-names.json). */
const clientNames: Record<string, string> = JSON.parse(readFileSync(join(__dirname, '../../../scripts/openapi-names.json'), 'utf8')).names;

describe('the OpenAPI document the client types are generated from', () => {
  let doc: OpenAPIObject;
  beforeAll(async () => {
    doc = await offlineApiDocument();
  }, 60_000);

  it('is built without a database and describes the REST routes', () => {
    expect(doc.paths['/api/tasks']?.get).toBeDefined();
    expect(doc.paths['/api/spiders/{id}']?.patch).toBeDefined();
    expect(Object.keys(doc.paths).length).toBeGreaterThan(50);
  });

  it("gives every route's success answer a schema (a 204 has no body)", () => {
    const untyped: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
        const op = item[method];
        if (!op) continue;
        const ok = Object.entries(op.responses as Record<string, Response>).filter(([status]) => status.startsWith('2'));
        const typed = ok.some(([status, r]) => status === '204' || Object.values(r.content ?? {}).some((c) => c.schema));
        if (!typed) untyped.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(untyped).toEqual([]);
  });

  it('holds every schema and field the clients name (scripts/openapi-names.json)', () => {
    const schemas = (doc.components?.schemas ?? {}) as Record<string, Schema>;
    const missing = Object.entries(clientNames).filter(([, ref]) => {
      const [schema, field] = ref.replace(/\[\]$/, '').split('.');
      const s = schemas[schema];
      return !s || (field !== undefined && !s.properties?.[field]);
    });
    expect(missing).toEqual([]);
  });

  it("documents an attempt's handedBack (the task page reads it)", () => {
    const attempt = (doc.components?.schemas ?? {})['AttemptDto'] as Schema;
    expect(attempt.properties?.handedBack).toMatchObject({ type: 'boolean' });
  });
});
