import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { SCRAPYD_OPTIONS, ScrapydOptions } from './scrapyd.options';

/** The token a request carries: basic auth's password (Scrapyd clients), or a bearer token. */
export function tokenOf(authorization: string | undefined): string | null {
  const header = authorization ?? '';
  const bearer = /^Bearer (.+)$/.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

/**
 * Scrapyd's HTTP basic auth, with the API token as the password and any username (the
 * routes are @Public() for the bearer guard, this one checks instead). Personal tokens, once
 * users exist, are checked here too.
 */
@Injectable()
export class ScrapydBasicAuthGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(SCRAPYD_OPTIONS) opts: ScrapydOptions) {
    this.expected = Buffer.from(opts.apiToken);
  }

  canActivate(ctx: ExecutionContext): boolean {
    const token = tokenOf(ctx.switchToHttp().getRequest<Request>().headers.authorization);
    const given = Buffer.from(token ?? '');
    if (token !== null && given.length === this.expected.length && timingSafeEqual(given, this.expected)) return true;
    throw new UnauthorizedException(token === null ? 'missing HTTP basic auth (the password is the API token)' : 'wrong API token');
  }
}
