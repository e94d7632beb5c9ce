import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../api/client';

export const useResultFields = (spiderId: string) => useQuery({ queryKey: ['results', spiderId, 'fields'], queryFn: () => api.resultFields(spiderId), refetchInterval: 5000 });
export const useResults = (spiderId: string, q: { taskId?: string; page: number; size: number }) =>
  useQuery({ queryKey: ['results', spiderId, q], queryFn: () => api.results(spiderId, q), placeholderData: keepPreviousData });

/** Saves an export through the browser: fetched with the bearer header, handed over as a blob. */
export async function downloadExport(spiderId: string, format: 'csv' | 'json', taskId?: string): Promise<void> {
  const res = await api.exportResults(spiderId, format, taskId);
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `results-${spiderId}${taskId ? `-${taskId}` : ''}.${format}`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
