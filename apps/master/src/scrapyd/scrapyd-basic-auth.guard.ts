import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { AccessRequest, AuthService } from '../access';

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
 * Scrapyd's HTTP basic auth: the password is the root API token or a personal token
 * (`cnp_…`), the username is ignored. The routes are @Public() for the app-wide AccessGuard;
 * this guard authenticates through the same AuthService and leaves the caller on the request
 * (as the AccessGuard does), and ScrapydAccess applies the project policy per call.
 */
@Injectable()
export class ScrapydBasicAuthGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AccessRequest>();
    const token = tokenOf(req.headers.authorization);
    if (token === null) throw new UnauthorizedException('missing HTTP basic auth (the password is an API token)');
    let access;
    try {
      access = await this.auth.authenticate({ bearer: token });
    } catch (err) {
      if (err instanceof UnauthorizedException) throw new UnauthorizedException(`wrong API token: ${err.message}`);
      throw err;
    }
    if (!access) throw new UnauthorizedException('wrong API token');
    req.crawlnestAccess = access;
    return true;
  }
}
