import { SetMetadata } from '@nestjs/common';

export const API_TOKEN = Symbol('API_TOKEN');
export const PUBLIC_ROUTE = 'crawlnest:public';

/**
 * Marks a route that needs no credential (only /api/health, /metrics and the sign-in).
 * Every other route goes through the AccessGuard (apps/master/src/access/access.guard.ts).
 */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
