import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { DynamicModule } from '@nestjs/common';
import { MasterModule } from '../apps/master/src/master.module';
import type { MasterConfig } from '../apps/master/src/config/master.config';
import { Master, TestCluster } from './support/cluster';

type Operation = { summary?: string; security?: Record<string, string[]>[]; responses: Record<string, unknown> };
type Schema = { properties?: Record<string, { description?: string }> };
type OpenApi = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes?: Record<string, { type: string; scheme?: string }> };
};

const PUBLIC_ROUTES = new Set(['get /api/health', 'post /api/git/webhook', 'post /api/auth/login']);
/** What a public route answers a bare anonymous request: git webhooks are off (403) until their secret is set; the sign-in needs a body (400). */
const PUBLIC_STATUS: Record<string, number> = { 'get /api/health': 200, 'post /api/git/webhook': 403, 'post /api/auth/login': 400 };
/** Swagger's @ApiExcludeController: the Scrapyd-compatible API (docs/scrapyd.md) is not part of the OpenAPI document. */
const EXCLUDED_FROM_DOCS = 'swagger/apiExcludeController';

/** Controllers of a module and of everything it imports, as Nest would register them. */
function controllersOf(mod: Type | DynamicModule, seen = new Set<unknown>()): Type[] {
  const cls = 'module' in mod ? mod.module : mod;
  if (seen.has(mod)) return [];
  seen.add(mod);
  const dynamic: Partial<DynamicModule> = 'module' in mod ? mod : {};
  const controllers: Type[] = [...(Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, cls) ?? []), ...(dynamic.controllers ?? [])];
  const imports: unknown[] = [...(Reflect.getMetadata(MODULE_METADATA.IMPORTS, cls) ?? []), ...(dynamic.imports ?? [])];
  for (const imp of imports) {
    if (typeof imp === 'function' || (typeof imp === 'object' && imp !== null && 'module' in imp)) controllers.push(...controllersOf(imp as Type | DynamicModule, seen));
  }
  return controllers;
}

/** "get /api/tasks/{id}" for every HTTP handler, from the controllers' routing metadata. */
function registeredRoutes(controllers: Type[]): string[] {
  const routes: string[] = [];
  for (const ctrl of controllers) {
    if (Reflect.getMetadata(EXCLUDED_FROM_DOCS, ctrl)) continue;
    const prefix = String(Reflect.getMetadata(PATH_METADATA, ctrl) ?? '');
    for (const name of Object.getOwnPropertyNames(ctrl.prototype)) {
      const handler = (ctrl.prototype as Record<string, unknown>)[name];
      if (typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (method === undefined || path === undefined) continue; // gRPC handlers, helpers
      const full = `/${prefix}/${path}`.replace(/\/+/g, '/').replace(/\/$/, '');
      const openApiPath = full.replace(/:(\w+)/g, '{$1}').replace(/\*(\w+)/g, '{$1}');
      routes.push(`${RequestMethod[method].toLowerCase()} ${openApiPath}`);
    }
  }
  return routes.sort();
}

describe('OpenAPI document', () => {
  const cluster = new TestCluster('api-docs');
  let master: Master;
  let doc: OpenApi;
  const runtime = { config: { dataDir: cluster.dir, logging: { level: 'info', format: 'json' } } as MasterConfig, mongoUri: 'mongodb://unused', apiToken: 'x', clusterSecret: 'y', replicaId: 'r' };
  const routes = registeredRoutes(controllersOf(MasterModule.forRoot(runtime)));

  beforeAll(async () => {
    master = await cluster.startMaster();
    const r = await master.api.withToken(null).get<OpenApi>('/api/docs-json');
    expect(r.status).toBe(200);
    doc = r.body;
  });
  afterAll(() => cluster.stop());

  const documented = () => Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).sort();

  it('the UI is served at /api/docs without a token', async () => {
    const r = await master.api.withToken(null).get('/api/docs');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(r.text).toContain('swagger-ui');
  });

  it('documents exactly the routes the app registers', () => {
    process.stdout.write(`api-docs: ${routes.length} routes registered, ${documented().length} documented\n`);
    expect(routes.length).toBeGreaterThanOrEqual(25);
    expect(documented()).toEqual(routes);
  });

  it('every documented route exists on the running master and asks for the token unless public', async () => {
    const anonymous = master.api.withToken(null);
    for (const route of documented()) {
      const [method, path] = route.split(' ');
      const url = path.replace('{id}', '0123456789abcdef01234567').replace('{userId}', '0123456789abcdef01234567').replace('{path}', 'a/b.txt');
      const r = await anonymous.request(method.toUpperCase(), url);
      expect([route, r.status]).toEqual([route, PUBLIC_STATUS[route] ?? 401]);
    }
  });

  it('declares the bearer scheme and applies it to every operation but the public ones', () => {
    expect(doc.components.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const route = `${method} ${path}`;
        const secured = (op.security ?? []).some((s) => 'bearer' in s);
        expect([route, secured]).toEqual([route, !PUBLIC_ROUTES.has(route)]);
        if (secured) expect([route, Object.keys(op.responses)]).toEqual([route, expect.arrayContaining(['401'])]);
      }
    }
  });

  it('every operation has a summary and a success response', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect([`${method} ${path}`, typeof op.summary]).toEqual([`${method} ${path}`, 'string']);
        expect(Object.keys(op.responses).some((s) => s.startsWith('2'))).toBe(true);
      }
    }
  });

  it('every property of every schema has a description', () => {
    const undocumented = Object.entries(doc.components.schemas).flatMap(([name, schema]) =>
      Object.entries(schema.properties ?? {})
        .filter(([, p]) => !p.description)
        .map(([prop]) => `${name}.${prop}`),
    );
    expect(Object.keys(doc.components.schemas).length).toBeGreaterThan(10);
    expect(undocumented).toEqual([]);
  });

  it('documents the upload content types and the JSON request bodies', () => {
    const replace = doc.paths['/api/spiders/{id}/files'].put as Operation & { requestBody: { content: Record<string, unknown> } };
    expect(Object.keys(replace.requestBody.content).sort()).toEqual(['application/gzip', 'application/zip', 'multipart/form-data']);
    const putOne = doc.paths['/api/spiders/{id}/files/{path}'].put as Operation & { requestBody: { content: Record<string, unknown> } };
    expect(Object.keys(putOne.requestBody.content)).toEqual(['application/octet-stream']);
    const createTask = doc.paths['/api/tasks'].post as Operation & { requestBody: { content: Record<string, { schema: { $ref: string } }> } };
    expect(createTask.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/CreateTaskDto');
  });
});
