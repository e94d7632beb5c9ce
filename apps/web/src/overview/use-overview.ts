import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';

export const useStats = () => useQuery({ queryKey: ['stats'], queryFn: api.stats });
/** Activity counts every project: admins only (`enabled`), members see their counts in /api/stats. */
export const useActivity = (enabled = true) => useQuery({ queryKey: ['activity'], queryFn: () => api.activity(60), refetchInterval: 10_000, enabled });
export const usePendingTasks = () => useQuery({ queryKey: ['tasks', { status: 'pending', page: 1, size: 10 }], queryFn: () => api.tasks({ status: 'pending', page: 1, size: 10 }) });
export const useLatestErrors = () => useQuery({ queryKey: ['tasks', { status: 'error', page: 1, size: 10 }], queryFn: () => api.tasks({ status: 'error', page: 1, size: 10 }) });
export const useRecentTasks = () => useQuery({ queryKey: ['tasks', { page: 1, size: 8 }], queryFn: () => api.tasks({ page: 1, size: 8 }), refetchInterval: 5000 });
