import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { isMissingRoute } from '../shared/ErrorAlert';

/** The spider's git source; `null` when it has none (the API answers 404). */
export const useGitSource = (id: string) =>
  useQuery({
    queryKey: ['spiders', id, 'git'],
    queryFn: async () => {
      try {
        return await api.gitSource(id);
      } catch (e) {
        if (isMissingRoute(e)) return null;
        throw e;
      }
    },
    refetchInterval: 10_000,
  });

export function useGitPull(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.gitPull(id),
    // A failed pull records its error on the source: show it there too.
    onSettled: () => qc.invalidateQueries({ queryKey: ['spiders', id] }),
  });
}
