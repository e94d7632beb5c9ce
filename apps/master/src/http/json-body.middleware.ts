import { BadRequestException, HttpException, PayloadTooLargeException } from '@nestjs/common';
import express from 'express';

type BodyParserError = Error & { type?: string; body?: string };

/** Spider file uploads and change batches: their controllers stage the bodies on disk themselves. */
const SPIDER_FILES_ROUTE = /^\/api\/spiders\/[^/]+\/(files|changes)(\/|$)/;
/** The Scrapyd-compatible API parses its own forms and eggs (apps/master/src/scrapyd). */
const SCRAPYD_ROUTE = /^\/scrapyd(\/|$)/;
/** Git push webhooks are signed over their raw bytes: their controller reads the body itself. */
const GIT_WEBHOOK_ROUTE = /^\/api\/git\/webhook\/?$/;

/**
 * The body handling of every REST route: JSON (a file named settings.json is content, not
 * a request to parse, so the spider file routes are left alone), and 415 for a body of
 * another type: the JSON parser would skip it and the route would see no body at all (a
 * PATCH sent as text/plain answered 200 having changed nothing).
 */
export function jsonBodyExceptFileRoutes(limit: string): express.RequestHandler {
  const json = jsonBody(limit);
  return (req, res, next) => {
    if (SPIDER_FILES_ROUTE.test(req.path) || SCRAPYD_ROUTE.test(req.path) || GIT_WEBHOOK_ROUTE.test(req.path)) return next();
    if (declaresBody(req) && !req.is('application/json')) {
      answerRefusal(res, new HttpException({ statusCode: 415, error: 'Unsupported Media Type', message: 'Content-Type: expected application/json' }, 415));
      return;
    }
    json(req, res, (err?: unknown) => (err instanceof HttpException ? answerRefusal(res, err) : next(err)));
  };
}

/**
 * Answers a body refusal here, in the API's {statusCode, error, message} shape, instead of
 * passing it down express's error chain: the dashboard's static module has an error handler
 * that turns any error on an excluded (/api) path into "404 Cannot POST …".
 */
function answerRefusal(res: express.Response, e: HttpException): void {
  res.status(e.getStatus()).json(e.getResponse());
}

/** A request with body bytes to read (an empty POST such as a cancel has none). */
function declaresBody(req: express.Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * express.json, with its refusals turned into Nest exceptions so that the app's exception
 * layer answers them in the API's {statusCode, error, message} shape (a bare body-parser
 * error would become a 413 without `error`, or a 500 for the less common cases).
 */
export function jsonBody(limit: string): express.RequestHandler {
  const json = express.json({ limit });
  return (req, res, next) =>
    json(req, res, (err?: unknown) => (err === undefined || err === null ? next() : next(asHttpException(err as BodyParserError, limit))));
}

function asHttpException(err: BodyParserError, limit: string): HttpException | BodyParserError {
  switch (err.type) {
    case 'entity.too.large':
      return new PayloadTooLargeException(`body: larger than ${limit}`);
    case 'entity.parse.failed':
      // strict mode: only an object or an array may be the top-level value (arrays are refused later).
      return new BadRequestException(/^\s*[{[]/.test(err.body ?? '') ? `body: malformed JSON (${err.message})` : 'body: expected a JSON object');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new HttpException({ statusCode: 415, error: 'Unsupported Media Type', message: `body: ${err.message}` }, 415);
    case 'request.aborted':
    case 'request.size.invalid':
      return new BadRequestException(`body: ${err.message}`);
    default:
      return err;
  }
}
