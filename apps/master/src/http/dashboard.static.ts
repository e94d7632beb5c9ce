import { DynamicModule, Logger } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import type { Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findProjectRoot } from '../project-root';

/** Where `npm run build` puts the dashboard (apps/web → dist/web). */
export function dashboardDir(): string {
  return join(findProjectRoot(), 'dist', 'web');
}

/**
 * Cache rules: Vite names every asset by its content hash, so an asset URL never changes
 * meaning and may be cached for a year; index.html names the current assets and must be
 * revalidated on every load, or a browser would keep running an old build.
 */
export function setDashboardHeaders(res: Response, filePath: string): void {
  if (/[/\\]assets[/\\][^/\\]+$/.test(filePath)) res.setHeader('cache-control', 'public, max-age=31536000, immutable');
  else res.setHeader('cache-control', 'no-cache');
}

/**
 * The dashboard at `/` on the REST port, every other non-API path answered with index.html
 * (deep links like /tasks/<id> load the app, which routes itself). /api/* and /metrics are
 * excluded so an unknown API route stays a JSON 404, never an HTML page. Without a built
 * dashboard (a master built alone) the API runs as before and says so once.
 */
export function dashboardModules(dir: string = dashboardDir()): DynamicModule[] {
  if (!existsSync(join(dir, 'index.html'))) {
    new Logger('Dashboard').warn({ msg: 'dashboard not built: / serves nothing (npm run build builds it)', dir });
    return [];
  }
  return [
    ServeStaticModule.forRoot({
      rootPath: dir,
      exclude: ['/api{/*rest}', '/metrics{/*rest}', '/scrapyd{/*rest}'],
      serveStaticOptions: { index: false, fallthrough: true, setHeaders: setDashboardHeaders },
    }),
  ];
}
