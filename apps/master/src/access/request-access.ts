import type { Request } from 'express';
import type { Caller } from './access.policy';

/** What the guard learnt about a request: who, how, and the project of its resource. */
export type RequestAccess = {
  caller: Caller;
  via: 'root' | 'session' | 'token';
  /** Cookie-authenticated: writes need the CSRF token. */
  cookie: boolean;
  sessionId?: string;
  projectId?: string | null;
};

export type AccessRequest = Request & { crawlnestAccess?: RequestAccess };

export function accessOf(req: Request): RequestAccess | undefined {
  return (req as AccessRequest).crawlnestAccess;
}

/** The caller of a guarded route (always set: the guard refuses a request without one). */
export function callerOf(req: Request): Caller {
  const a = accessOf(req);
  if (!a) throw new Error('no caller on a guarded request');
  return a.caller;
}

/** The client address as the socket sees it (no X-Forwarded-For trust: a proxy is not assumed). */
export function clientIp(req: Request): string {
  return req.socket?.remoteAddress ?? '';
}

export const SESSION_COOKIE = 'crawlnest_session';
export const CSRF_COOKIE = 'crawlnest_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}
