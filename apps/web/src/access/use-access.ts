import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { api } from '../api/client';
import type { ProjectRole } from '../api/access-types';

export const useMe = () => useQuery({ queryKey: ['me'], queryFn: api.me, staleTime: 30_000 });
export const useUsers = () => useQuery({ queryKey: ['users'], queryFn: api.users });
export const useProjects = () => useQuery({ queryKey: ['projects'], queryFn: api.projects });
export const useTokens = () => useQuery({ queryKey: ['tokens'], queryFn: api.tokens });
export const useAudit = (q: { projectId?: string; action?: string }) => useQuery({ queryKey: ['audit', q], queryFn: () => api.audit(q) });

function invalidating<A, R>(keys: string[][], fn: (a: A) => Promise<R>) {
  return () => {
    const qc = useQueryClient();
    return useMutation({ mutationFn: fn, onSuccess: () => Promise.all(keys.map((queryKey) => qc.invalidateQueries({ queryKey }))) });
  };
}

export const useCreateUser = invalidating([['users']], api.createUser);
export const usePatchUser = invalidating([['users']], (a: { id: string; disabled?: boolean; role?: 'admin' | 'member' }) => api.patchUser(a.id, { disabled: a.disabled, role: a.role }));
export const useCreateProject = invalidating([['projects'], ['me']], api.createProject);
export const useSetMember = invalidating([['projects'], ['users'], ['me']], (a: { projectId: string; userId: string; role: ProjectRole }) => api.setMember(a.projectId, a.userId, a.role));
export const useRemoveMember = invalidating([['projects'], ['users'], ['me']], (a: { projectId: string; userId: string }) => api.removeMember(a.projectId, a.userId));
export const useCreateToken = invalidating([['tokens']], (a: { name: string; expiresInDays?: number }) => api.createToken(a.name, a.expiresInDays));
export const useRevokeToken = invalidating([['tokens']], api.revokeToken);

/** The project chosen in the header's switcher ('' = all my projects), kept for the tab. */
const PROJECT_KEY = 'crawlnest.project';
const subscribers = new Set<() => void>();
export function setCurrentProject(id: string): void {
  sessionStorage.setItem(PROJECT_KEY, id);
  subscribers.forEach((s) => s());
}
export function useCurrentProject(): string {
  return useSyncExternalStore(
    (cb) => {
      subscribers.add(cb);
      return () => subscribers.delete(cb);
    },
    () => sessionStorage.getItem(PROJECT_KEY) ?? '',
  );
}
