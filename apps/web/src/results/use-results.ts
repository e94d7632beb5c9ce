import { keepPreviousData, useQuery, type QueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { exportFileName } from './result-columns';
import { resultFieldsKey, resultsKey, type ResultsQuery } from './results-route.prefetch';

export const useResultFields = (spiderId: string) => useQuery({ queryKey: resultFieldsKey(spiderId), queryFn: () => api.resultFields(spiderId), refetchInterval: 5000 });
export const useResults = (spiderId: string, q: ResultsQuery) =>
  useQuery({ queryKey: resultsKey(spiderId, q), queryFn: () => api.results(spiderId, q), placeholderData: keepPreviousData });
/**
 * The spider's recent tasks: what a short task id is resolved against, and the task picker's
 * list. Asked only when needed (`enabled`), so opening the page does not make the master walk
 * the task history while it reads the first page of results.
 */
export const useRecentTasks = (spiderId: string, enabled: boolean) =>
  useQuery({ queryKey: ['results', spiderId, 'recent-tasks'], queryFn: () => api.tasks({ spiderId, page: 1, size: 50 }), staleTime: 10_000, enabled });

/** The spider's name (for an export's file name), from the cache when the spider was read already. */
export const spiderName = async (client: QueryClient, id: string): Promise<string> =>
  (await client.fetchQuery({ queryKey: ['spiders', id], queryFn: () => api.spider(id), staleTime: 60_000 })).name;

/** Saves an export through the browser: fetched with the bearer header, handed over as a blob. */
export async function downloadExport(spider: { id: string; name: string }, format: 'csv' | 'json', taskId?: string, bom = false): Promise<void> {
  const res = await api.exportResults(spider.id, format, taskId, bom);
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = exportFileName(spider.name, taskId, format);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
