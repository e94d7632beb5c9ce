import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject, Logger, NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, NotFoundError } from '@crawlnest/node';
import { ScrapydInputError } from './scrapyd-args';
import { SCRAPYD_OPTIONS, ScrapydOptions } from './scrapyd.options';

/**
 * Errors the way Scrapyd answers them: HTTP 200 with `{"status": "error", "message": …}`.
 * A missing or wrong token is a 401 with a basic-auth challenge (as Scrapyd with auth on).
 */
@Catch()
export class ScrapydErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('Scrapyd');

  constructor(@Inject(SCRAPYD_OPTIONS) private readonly opts: ScrapydOptions) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (err instanceof UnauthorizedException) {
      res.status(401).setHeader('www-authenticate', 'Basic realm="Scrapyd"');
      res.json({ node_name: this.opts.nodeName, status: 'error', message: err.message });
      return;
    }
    res.status(200).json({ node_name: this.opts.nodeName, status: 'error', message: this.message(err) });
  }

  private message(err: unknown): string {
    if (err instanceof ScrapydInputError || err instanceof DomainError) return err.message;
    if (err instanceof HttpException) {
      const r = err.getResponse();
      const m = typeof r === 'object' && r !== null && 'message' in r ? (r as { message: unknown }).message : err.message;
      return Array.isArray(m) ? m.join('; ') : String(m);
    }
    this.log.error({ msg: 'scrapyd request failed', err: err instanceof Error ? err.stack : String(err) });
    return `internal error: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** /logs and /items: a missing job is a plain 404, as a missing file is on Scrapyd. */
@Catch()
export class ScrapydFileErrorFilter implements ExceptionFilter {
  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      res.end();
      return;
    }
    if (err instanceof UnauthorizedException) {
      res.status(401).setHeader('www-authenticate', 'Basic realm="Scrapyd"');
      res.type('text/plain').send(err.message);
      return;
    }
    const notFound = err instanceof NotFoundError || err instanceof NotFoundException;
    res.status(notFound ? 404 : 500).type('text/plain').send(notFound ? 'No Such Resource' : `error: ${err instanceof Error ? err.message : String(err)}`);
  }
}
