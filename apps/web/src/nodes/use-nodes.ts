import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

export const useNodes = () => useQuery({ queryKey: ['nodes'], queryFn: api.nodes });
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
