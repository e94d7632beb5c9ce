import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import type { ChannelInput, DeliveryQuery, RuleInput } from '../api/notify-types';

export const useChannels = () => useQuery({ queryKey: ['notify', 'channels'], queryFn: api.channels });
export const useRules = (spiderId?: string) => useQuery({ queryKey: ['notify', 'rules', spiderId ?? ''], queryFn: () => api.rules({ spiderId }) });
export const useDeliveries = (q: DeliveryQuery) => useQuery({ queryKey: ['notify', 'deliveries', q], queryFn: () => api.deliveries(q), refetchInterval: 5000 });

function invalidatingNotify<A, R>(fn: (a: A) => Promise<R>) {
  return () => {
    const qc = useQueryClient();
    return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: ['notify'] }) });
  };
}

export const useCreateChannel = invalidatingNotify((input: ChannelInput) => api.createChannel(input));
export const useDeleteChannel = invalidatingNotify((id: string) => api.deleteChannel(id));
export const useTestChannel = invalidatingNotify((id: string) => api.testChannel(id));
export const useSaveRule = invalidatingNotify((a: { id: string | null; input: RuleInput }) => (a.id ? api.patchRule(a.id, a.input) : api.createRule(a.input)));
export const useDeleteRule = invalidatingNotify((id: string) => api.deleteRule(id));
export const useRetryDelivery = invalidatingNotify((id: string) => api.retryDelivery(id));
