import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export const API_DOCS_PATH = 'api/docs';
export const BEARER_SCHEME = 'bearer';

/**
 * The OpenAPI document of the REST API. The web and CLI clients' types are generated from it
 * (scripts/openapi.sh), so what it says about a response is what the clients compile against.
 */
export function buildApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Crawlnest REST API')
    .setDescription(
      'Admin API of the Crawlnest master: nodes, spiders and their files, tasks, schedules. ' +
        'Every route but GET /api/health needs `Authorization: Bearer <CRAWLNEST_API_TOKEN>`. ' +
        'Errors are `{statusCode, error, message}`; a 400 message names each rejected field and why.',
    )
    // The version of the REST contract (API.md), not of the package.
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'CRAWLNEST_API_TOKEN (printed by the master at start)' }, BEARER_SCHEME)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/**
 * OpenAPI for the REST API: UI at /api/docs, JSON at /api/docs-json. SwaggerModule serves
 * both on the HTTP adapter directly, outside Nest's guards: they need no token.
 */
export function setupApiDocs(app: INestApplication): void {
  SwaggerModule.setup(API_DOCS_PATH, app, buildApiDocument(app), { jsonDocumentUrl: `${API_DOCS_PATH}-json`, yamlDocumentUrl: `${API_DOCS_PATH}-yaml` });
}
