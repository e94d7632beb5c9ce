import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import type { ScheduleInput } from '../api/types';

export const useSchedules = () => useQuery({ queryKey: ['schedules'], queryFn: api.schedules });

export function useSaveSchedule(id: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: ScheduleInput) => (id ? api.patchSchedule(id, input) : api.createSchedule(input)),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['schedules'] }),
  });
}

export function useToggleSchedule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; enabled: boolean }) => api.patchSchedule(v.id, { enabled: v.enabled }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['schedules'] }),
  });
}

export function useDeleteSchedule() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: api.deleteSchedule, onSuccess: () => qc.invalidateQueries({ queryKey: ['schedules'] }) });
}
