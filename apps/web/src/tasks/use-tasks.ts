import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, withQuery, request } from '../api/client';
import type { TaskPage, TaskQuery } from '../api/types';

/** A page of tasks; with `after` (the cursor the master may offer) instead of a page number. */
export const useTaskPage = (q: TaskQuery & { after?: string }) =>
  useQuery({
    queryKey: ['tasks', q],
    queryFn: () => (q.after ? request<TaskPage>('GET', withQuery('/api/tasks', { ...q, page: undefined })) : api.tasks(q)),
    // The old page stays on screen while the next loads: no flash of an empty table.
    placeholderData: keepPreviousData,
    // Listing sorts and counts on the server (a full scan on FerretDB): poll it gently.
    refetchInterval: 5000,
  });

export const useTask = (id: string) => useQuery({ queryKey: ['task', id], queryFn: () => api.task(id), refetchInterval: 1000 });
export const useTaskResults = (id: string, page: number, size: number) =>
  useQuery({ queryKey: ['task', id, 'results', page, size], queryFn: () => api.taskResults(id, page, size), placeholderData: keepPreviousData });

export function useTaskAction(kind: 'cancel' | 'restart') {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => (kind === 'cancel' ? { tasks: [await api.cancelTask(id)] } : api.restartTask(id)),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['task'] });
      await qc.invalidateQueries({ queryKey: ['tasks'] });
    },
  });
}
