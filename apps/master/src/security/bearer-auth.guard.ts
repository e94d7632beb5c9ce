import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';

export const API_TOKEN = Symbol('API_TOKEN');
const PUBLIC_ROUTE = 'crawlnest:public';

/** Marks a route that needs no token (only /api/health and /metrics). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** `Authorization: Bearer <CRAWLNEST_API_TOKEN>` on every HTTP route not marked @Public(). */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(
    private readonly reflector: Reflector,
    @Inject(API_TOKEN) token: string,
  ) {
    this.expected = Buffer.from(token);
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true; // gRPC has its own cluster-secret check
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [ctx.getHandler(), ctx.getClass()])) return true;
    const header = ctx.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const m = /^Bearer (.+)$/.exec(header);
    const given = m ? Buffer.from(m[1]) : Buffer.alloc(0);
    if (given.length === this.expected.length && timingSafeEqual(given, this.expected)) return true;
    throw new UnauthorizedException(m ? 'wrong API token' : 'missing Authorization: Bearer <token>');
  }
}
