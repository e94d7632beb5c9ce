import type { Me, ProjectRole } from '../api/access-types';

const RANK: Record<ProjectRole, number> = { viewer: 0, runner: 1, editor: 2, owner: 3 };
export type ProjectAction = 'run' | 'edit' | 'manage';
const NEEDS: Record<ProjectAction, ProjectRole> = { run: 'runner', edit: 'editor', manage: 'owner' };

/**
 * Why the signed-in user may not take `action` in `projectId`, or null when they may. The
 * master decides (403 names the role); this only hides or disables what would be refused.
 */
export function deniedReason(me: Me | undefined, action: ProjectAction, projectId: string | undefined): string | null {
  if (!me || me.role === 'admin') return null;
  const role = me.projects.find((p) => p.id === projectId)?.role;
  const need = NEEDS[action];
  if (role && RANK[role] >= RANK[need]) return null;
  return `Needs the ${need} role in this project (you are ${role ?? 'not a member'})`;
}
