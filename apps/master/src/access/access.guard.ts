import { BadRequestException, CanActivate, ExecutionContext, ForbiddenException, HttpException, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { OBJECT_ID_PATTERN } from '@crawlnest/node';
import type { Request } from 'express';
import { PUBLIC_ROUTE } from '../security/bearer-auth.guard';
import { ACCESS_RULE, AccessRule, ResourceRef } from './access.decorator';
import { Caller, decide, Decision, isAdmin, Need } from './access.policy';
import { AuthService } from './auth.service';
import { AccessRequest, CSRF_HEADER, readCookie, RequestAccess, SESSION_COOKIE } from './request-access';
import { ResourceResolver } from './resource-resolver';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The one access check of the REST API: authenticates the caller (root token, session,
 * personal token), checks the CSRF token of cookie writes, then applies the route's
 * @Access rule through the policy (access.policy.ts). Routes without a rule are refused to
 * all but the root token, so a route added without one fails closed.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly resolver: ResourceResolver,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true; // gRPC has its own cluster-secret check
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [ctx.getHandler(), ctx.getClass()])) return true;
    const req = ctx.switchToHttp().getRequest<AccessRequest>();
    const access = await this.authenticate(req);
    if (access.cookie && !SAFE_METHODS.has(req.method) && !(await this.auth.csrfMatches(access.sessionId ?? '', header(req, CSRF_HEADER)))) {
      throw new ForbiddenException(`CSRF token missing or wrong: send the ${CSRF_HEADER} header with cookie-authenticated writes`);
    }
    req.crawlnestAccess = access;
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [ctx.getHandler(), ctx.getClass()]);
    if (!rule) {
      if (access.caller.kind === 'root') return true;
      throw new ForbiddenException('this route has no access rule: only the root token may call it');
    }
    if (!('refs' in rule)) return allowOrThrow(decide(access.caller, rule.need));
    for (const ref of rule.refs) await this.checkRef(req, access, rule.need, ref);
    return true;
  }

  private async authenticate(req: Request): Promise<RequestAccess> {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (req.headers.authorization !== undefined && !m) throw new UnauthorizedException('expected Authorization: Bearer <token>');
    const access = await this.auth.authenticate({ bearer: m?.[1], cookie: readCookie(req, SESSION_COOKIE) });
    if (!access) throw new UnauthorizedException('missing Authorization: Bearer <token> (or sign in: POST /api/auth/login)');
    return access;
  }

  private async checkRef(req: Request, access: RequestAccess, need: Need, ref: ResourceRef): Promise<void> {
    const source = (ref.from === 'param' ? req.params : ref.from === 'body' ? req.body : req.query) as Record<string, unknown> | undefined;
    const raw = source?.[ref.key];
    if (raw === null && ref.whenNull === 'admin') {
      allowOrThrow(decide(access.caller, 'admin'));
      return;
    }
    if (Array.isArray(raw)) {
      for (const item of raw) if (typeof item === 'string') await this.checkId(req, access, need, ref, item);
      return;
    }
    let id = typeof raw === 'string' ? raw : undefined;
    const admin = isAdmin(access.caller);
    if (id === undefined) {
      // Admins: the handler's own validation answers for a missing or malformed field.
      if (ref.whenMissing === 'skip' || (admin && ref.whenMissing !== 'single-project')) return;
      if (ref.whenMissing === 'admin') {
        allowOrThrow(decide(access.caller, 'admin'));
        return;
      }
      if (ref.whenMissing === 'single-project') {
        id = onlyProject(access.caller);
        if (id === undefined) return; // admins: the default project
        (req.body as Record<string, unknown>)[ref.key] = id;
      } else throw new BadRequestException(`${ref.key}: required`);
    }
    await this.checkId(req, access, need, ref, id);
  }

  private async checkId(req: Request, access: RequestAccess, need: Need, ref: ResourceRef, id: string): Promise<void> {
    const admin = isAdmin(access.caller);
    // Admins skip the lookup on reads (the handler answers 404 for a missing id); writes
    // resolve it so the audit log names the project.
    const projectId = admin && SAFE_METHODS.has(req.method) && ref.kind !== 'project' ? undefined : await this.resolver.projectOf(ref.kind, id);
    if (admin && ref.kind === 'project' && ref.from === 'body' && projectId === null && OBJECT_ID_PATTERN.test(id)) {
      throw new BadRequestException(`${ref.key}: project ${id} does not exist`);
    }
    allowOrThrow(decide(access.caller, need, projectId));
    if (projectId) access.projectId = projectId;
  }
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The project a member of exactly one project means when naming none; undefined for admins. */
function onlyProject(caller: Caller): string | undefined {
  if (isAdmin(caller) || caller.kind === 'root') return undefined;
  const ids = [...caller.projects.keys()];
  if (ids.length !== 1) throw new BadRequestException(`projectId: required (you are a member of ${ids.length} projects)`);
  return ids[0];
}

function allowOrThrow(d: Decision): true {
  if (d.ok) return true;
  const errors: Record<number, () => HttpException> = {
    401: () => new UnauthorizedException(d.message),
    403: () => new ForbiddenException(d.message),
    404: () => new NotFoundException(d.message),
  };
  throw errors[d.status]();
}
