import { applyDecorators } from '@nestjs/common';
import { ApiParam, ApiResponse } from '@nestjs/swagger';
import { ErrorDto } from './error.dto';

const WHY: Record<number, string> = {
  400: 'Invalid input: the message names each field and the reason',
  401: 'Missing or wrong `Authorization: Bearer <token>`',
  404: 'Unknown id (or file path)',
  409: 'A conflict: a transition not allowed in the current state, or a name already taken',
  413: 'Payload too large (JSON bodies: 1 MB; uploads: CRAWLNEST_MAX_UPLOAD_BYTES)',
  415: 'Unsupported Content-Type',
};

/** Documents the error statuses a route answers, all in the {statusCode, error, message} shape. */
export function ApiErrors(...statuses: (400 | 401 | 404 | 409 | 413 | 415)[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: WHY[status], type: ErrorDto })));
}

/** The `:id` path parameter (checked by ObjectIdPipe). */
export const ApiIdParam = (what: string) =>
  ApiParam({ name: 'id', description: `${what} id (24 hex)`, schema: { type: 'string', pattern: '^[0-9a-f]{24}$' }, example: '665f1c2e8b3a4d0012345678' });

/** The `*path` wildcard of the single-file routes. */
export const ApiFilePathParam = () =>
  ApiParam({ name: 'path', description: 'Relative file path inside the spider tree (no leading /, no .. segment)', schema: { type: 'string' }, example: 'spiders/quotes.py' });
