import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'express';
import { dashboardModules, setDashboardHeaders } from './dashboard.static';

function headersFor(path: string): string | undefined {
  const set: Record<string, string> = {};
  setDashboardHeaders({ setHeader: (k: string, v: string) => (set[k] = v) } as unknown as Response, path);
  return set['cache-control'];
}

describe('dashboard static serving', () => {
  it('caches hashed assets for a year and revalidates index.html every time', () => {
    expect(headersFor('/srv/dist/web/assets/index-D6bnZ2uB.js')).toBe('public, max-age=31536000, immutable');
    expect(headersFor('/srv/dist/web/index.html')).toBe('no-cache');
    // Only files directly under assets/ are hashed by Vite.
    expect(headersFor('/srv/dist/web/favicon.ico')).toBe('no-cache');
  });

  it('serves nothing (and keeps the API running) when the dashboard was not built', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-dashboard-'));
    expect(dashboardModules(empty)).toEqual([]);
    writeFileSync(join(empty, 'index.html'), '<div id="root"></div>');
    expect(dashboardModules(empty)).toHaveLength(1);
  });
});
