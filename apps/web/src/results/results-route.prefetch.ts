import type { QueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

/** Rows a Results page shows. */
export const RESULTS_PAGE_SIZE = 50;

export type ResultsQuery = { taskId?: string; field?: string; value?: string; cursor?: string; page: number; size: number };
export const resultsKey = (spiderId: string, q: ResultsQuery) => ['results', spiderId, q] as const;
export const resultFieldsKey = (spiderId: string) => ['results', spiderId, 'fields'] as const;

/**
 * A Results page opened by its address (`/results?spiderId=…`, a reload or a shared link):
 * asks for its first page and field list at boot, while the page's own code (a lazy route)
 * still loads, instead of after it. The keys are the ones ResultsView reads, so it renders
 * from these answers. Kept out of use-results.ts so the entry bundle gains only this file.
 */
export function prefetchResultsRoute(client: QueryClient, url: URL): void {
  const spiderId = url.searchParams.get('spiderId');
  if (url.pathname !== '/results' || !spiderId || !/^[0-9a-f]{24}$/.test(spiderId) || url.searchParams.has('taskId')) return;
  const q = { page: 1, size: RESULTS_PAGE_SIZE };
  void client.prefetchQuery({ queryKey: resultsKey(spiderId, q), queryFn: () => api.results(spiderId, q) });
  void client.prefetchQuery({ queryKey: resultFieldsKey(spiderId), queryFn: () => api.resultFields(spiderId) });
}
