import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

export const useNodes = () => useQuery({ queryKey: ['nodes'], queryFn: api.nodes });
export const useNode = (id: string) => useQuery({ queryKey: ['nodes', id], queryFn: () => api.node(id), refetchInterval: 2000 });
/** One sample per slot (30 s): polled a little faster than that. */
export const useNodeHistory = (id: string) => useQuery({ queryKey: ['nodes', id, 'history'], queryFn: () => api.nodeHistory(id), refetchInterval: 10_000 });
export const useNodeEnvironments = (id: string) =>
  useQuery({ queryKey: ['nodes', id, 'environments'], queryFn: () => api.nodeEnvironments(id), refetchInterval: 10_000 });

export function usePatchNode() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; patch: Parameters<typeof api.patchNode>[1] }) => api.patchNode(v.id, v.patch),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['nodes'] }),
  });
}

export function useDeleteNode() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: api.deleteNode, onSuccess: () => qc.invalidateQueries({ queryKey: ['nodes'] }) });
}
