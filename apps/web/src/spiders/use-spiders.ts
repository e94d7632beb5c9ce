import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import type { CreateTask, SpiderInput } from '../api/types';

export const useSpiders = () => useQuery({ queryKey: ['spiders'], queryFn: api.spiders });
export const useSpider = (id: string, enabled = true) =>
  useQuery({
    queryKey: ['spiders', id],
    queryFn: () => api.spider(id),
    enabled: enabled && !!id,
    // A dedup backfill's progress moves while it runs.
    refetchInterval: (q) => (q.state.data?.dedupBackfill?.status === 'running' ? 2000 : false),
  });
export const useSpiderFiles = (id: string) => useQuery({ queryKey: ['spiders', id, 'files'], queryFn: () => api.files(id), refetchInterval: 5000 });
export const useSpiderVersions = (id: string) => useQuery({ queryKey: ['spiders', id, 'versions'], queryFn: () => api.versions(id), refetchInterval: 10_000 });
export const useFileText = (id: string, path: string | null, version: number | undefined) =>
  useQuery({
    queryKey: ['spiders', id, 'file', path, version],
    queryFn: () => api.fileText(id, path as string),
    enabled: path !== null,
    // The content of one version never changes: no polling, refetched when the version moves.
    refetchInterval: false,
    staleTime: Infinity,
  });

export function useSaveSpider(id: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: SpiderInput) => (id ? api.patchSpider(id, input) : api.createSpider(input)),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['spiders'] }),
  });
}

export function useDeleteSpider() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: api.deleteSpider, onSuccess: () => qc.invalidateQueries({ queryKey: ['spiders'] }) });
}

export function useSaveFile(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { path: string; content: string }) => api.saveFile(id, v.path, v.content),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['spiders', id] }),
  });
}

export function useRunSpider() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (input: CreateTask) => api.createTasks(input), onSuccess: () => qc.invalidateQueries({ queryKey: ['tasks'] }) });
}
