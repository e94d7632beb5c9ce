import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable, tap } from 'rxjs';
import { AuditService } from './audit.service';
import { accessOf, clientIp } from './request-access';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Records every change made through the REST API: who, from where, which route (as
 * `<controller>.<handler>`, e.g. `tasks.cancel`), the resource id and project, the status.
 * Never the body: it may hold a password, a token or a secret env value.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<Request>();
    const access = accessOf(req);
    // Sign-ins audit themselves (with the username tried); reads are not changes.
    if (!WRITES.has(req.method) || !access) return next.handle();
    const action = `${ctx.getClass().name.replace(/HttpController$/, '').toLowerCase()}.${ctx.getHandler().name}`;
    const record = (status: number, resourceId: unknown) => {
      const c = access.caller;
      const params = req.params as Record<string, string | string[]>;
      const extra = Object.entries(params)
        .filter(([k]) => k !== 'id')
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('/') : v}`);
      const fields = req.body && typeof req.body === 'object' && !Array.isArray(req.body) && !Buffer.isBuffer(req.body) ? Object.keys(req.body as object) : [];
      void this.audit.record({
        via: access.via,
        userId: c.kind === 'user' ? c.id : null,
        username: c.kind === 'user' ? c.username : 'root',
        ip: clientIp(req),
        action,
        resourceId: typeof params.id === 'string' ? params.id : typeof resourceId === 'string' ? resourceId : null,
        projectId: access.projectId ?? null,
        status,
        detail: [...extra, ...(fields.length ? [`fields=${fields.join(',')}`] : [])].join(' '),
      });
    };
    return next.handle().pipe(
      tap({
        next: (value) => record(ctx.switchToHttp().getResponse<Response>().statusCode, idOf(value)),
        // A refused request changed nothing: the log holds changes (and every sign-in attempt, recorded by AuthService).
      }),
    );
  }
}

function idOf(value: unknown): unknown {
  if (!value || typeof value !== 'object') return null;
  const v = value as { id?: unknown; tasks?: { id?: unknown }[] };
  return v.id ?? v.tasks?.[0]?.id ?? null;
}
