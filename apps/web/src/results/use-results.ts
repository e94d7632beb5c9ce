import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { exportFileName } from './result-columns';

export type ResultFilter = { taskId?: string; field?: string; value?: string; cursor?: string };

export const useResultFields = (spiderId: string) => useQuery({ queryKey: ['results', spiderId, 'fields'], queryFn: () => api.resultFields(spiderId), refetchInterval: 5000 });
export const useResults = (spiderId: string, q: ResultFilter & { page: number; size: number }) =>
  useQuery({ queryKey: ['results', spiderId, q], queryFn: () => api.results(spiderId, q), placeholderData: keepPreviousData });
/** The spider's recent tasks: what a short task id is resolved against, and the task picker's list. */
export const useRecentTasks = (spiderId: string) =>
  useQuery({ queryKey: ['results', spiderId, 'recent-tasks'], queryFn: () => api.tasks({ spiderId, page: 1, size: 50 }), staleTime: 10_000 });

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
