import { ExecutionContext, ForbiddenException, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Access, param } from './access.decorator';
import { AccessGuard } from './access.guard';
import type { AuthService } from './auth.service';
import type { RequestAccess } from './request-access';
import type { ResourceResolver } from './resource-resolver';

class Routes {
  noRule(): void {}
  @Access('signed-in')
  anyone(): void {}
  @Access('run', param('task'))
  cancel(): void {}
}

const P = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const callers: Record<string, RequestAccess> = {
  root: { caller: { kind: 'root' }, via: 'root', cookie: false },
  admin: { caller: { kind: 'user', id: 'a', username: 'a', role: 'admin', projects: new Map() }, via: 'token', cookie: false },
  viewer: { caller: { kind: 'user', id: 'v', username: 'v', role: 'member', projects: new Map([[P, 'viewer']]) }, via: 'token', cookie: false },
  runner: { caller: { kind: 'user', id: 'r', username: 'r', role: 'member', projects: new Map([[P, 'runner']]) }, via: 'token', cookie: false },
  outsider: { caller: { kind: 'user', id: 'o', username: 'o', role: 'member', projects: new Map() }, via: 'token', cookie: false },
};

function guardFor(who: keyof typeof callers | null): AccessGuard {
  const auth = { authenticate: () => Promise.resolve(who ? callers[who] : null), csrfMatches: () => Promise.resolve(false) } as unknown as AuthService;
  const resolver = { projectOf: () => Promise.resolve(P) } as unknown as ResourceResolver;
  return new AccessGuard(new Reflector(), auth, resolver);
}

function ctx(handler: keyof Routes, method = 'POST'): ExecutionContext {
  const req = { method, headers: { authorization: 'Bearer x' }, params: { id: '0123456789abcdef01234567' }, body: {}, query: {} };
  return {
    getType: () => 'http',
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
}

describe('AccessGuard', () => {
  it.each([
    ['noRule', 'root', true],
    ['noRule', 'admin', ForbiddenException],
    ['noRule', 'viewer', ForbiddenException],
    ['anyone', null, UnauthorizedException],
    ['anyone', 'viewer', true],
    ['cancel', 'viewer', ForbiddenException],
    ['cancel', 'runner', true],
    ['cancel', 'outsider', NotFoundException],
    ['cancel', 'admin', true],
  ] as const)('%s as %s → %p', async (handler, who, outcome) => {
    const run = guardFor(who).canActivate(ctx(handler));
    if (outcome === true) await expect(run).resolves.toBe(true);
    else await expect(run).rejects.toBeInstanceOf(outcome);
  });
});
