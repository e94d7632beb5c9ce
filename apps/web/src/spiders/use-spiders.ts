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
/** The text of one file in one version: versions never change, so it is fetched once. */
export const useVersionFileText = (id: string, path: string | null, version: number | undefined) =>
  useQuery({
    queryKey: ['spiders', id, 'file', path, version],
    queryFn: () => api.versionFileText(id, version as number, path as string),
    enabled: path !== null && version !== undefined && version > 0,
    refetchInterval: false,
    staleTime: Infinity,
  });
export const useVersionFiles = (id: string, version: number | null) =>
  useQuery({ queryKey: ['spiders', id, 'version-files', version], queryFn: () => api.versionFiles(id, version as number), enabled: version !== null, staleTime: Infinity });
export const useVersionDiff = (id: string, pair: { a: number; b: number } | null) =>
  useQuery({ queryKey: ['spiders', id, 'diff', pair?.a, pair?.b], queryFn: () => api.diffVersions(id, pair?.a as number, pair?.b as number), enabled: pair !== null, staleTime: Infinity });

export function useRestoreVersion(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (version: number) => api.restoreVersion(id, version),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['spiders'] }),
  });
}

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

/**
 * Saves one file based on the version it was read at. On success the saved text is put in the
 * cache as that file's content in the new version, so nothing refetches it (and the editor,
 * which already shows it, is left alone); the file list and the spider refresh.
 */
export function useSaveFile(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { path: string; content: string; baseVersion: number }) => api.saveFile(id, v.path, v.content, v.baseVersion),
    onSuccess: async (r, v) => {
      qc.setQueryData(['spiders', id, 'file', v.path, r.version], v.content);
      await Promise.all([
        qc.invalidateQueries({ queryKey: ['spiders', id, 'files'], exact: true }),
        qc.invalidateQueries({ queryKey: ['spiders', id], exact: true }),
        qc.invalidateQueries({ queryKey: ['spiders', id, 'versions'], exact: true }),
        qc.invalidateQueries({ queryKey: ['spiders'], exact: true }),
      ]);
    },
  });
}

export function useRunSpider() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (input: CreateTask) => api.createTasks(input), onSuccess: () => qc.invalidateQueries({ queryKey: ['tasks'] }) });
}
