/**
 * Who may do what on which project: the one policy of the REST API (docs/security.md).
 * Pure functions; the guard (access.guard.ts) feeds them the caller and the project the
 * route's resource belongs to, and turns the decision into 401, 403 or 404.
 */

export const PROJECT_ROLES = ['viewer', 'runner', 'editor', 'owner'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];
export const USER_ROLES = ['admin', 'member'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** What a route does to a project's resources, and the least project role it needs. */
export const PROJECT_ACTIONS = {
  read: 'viewer',
  run: 'runner',
  edit: 'editor',
  manage: 'owner',
} as const satisfies Record<string, ProjectRole>;
export type ProjectAction = keyof typeof PROJECT_ACTIONS;

/** `signed-in`: any valid credential; `admin`: the admin role (or the root token). */
export type GlobalNeed = 'signed-in' | 'admin';
export type Need = GlobalNeed | ProjectAction;

export type Caller =
  | { kind: 'root' }
  | { kind: 'user'; id: string; username: string; role: UserRole; projects: ReadonlyMap<string, ProjectRole> };

export type Decision = { ok: true } | { ok: false; status: 401 | 403 | 404; message: string };

export function roleRank(role: ProjectRole): number {
  return PROJECT_ROLES.indexOf(role);
}

export function roleAtLeast(role: ProjectRole | undefined, need: ProjectRole): boolean {
  return role !== undefined && roleRank(role) >= roleRank(need);
}

/** Root (CRAWLNEST_API_TOKEN) and admins see and do everything. */
export function isAdmin(caller: Caller): boolean {
  return caller.kind === 'root' || caller.role === 'admin';
}

/**
 * The decision for one caller, one need and (for project actions) the project of the
 * resource: `null` when the resource does not exist. A project the caller is not a member
 * of answers like a missing resource (404), so ids of other teams' work reveal nothing.
 */
export function decide(caller: Caller | null, need: Need, projectId?: string | null): Decision {
  if (!caller) return { ok: false, status: 401, message: 'sign in: missing or invalid credential' };
  if (need === 'signed-in' || isAdmin(caller)) return { ok: true };
  if (need === 'admin') return { ok: false, status: 403, message: 'needs the admin role' };
  if (caller.kind === 'root') return { ok: true };
  const role = projectId ? caller.projects.get(projectId) : undefined;
  if (!role) return { ok: false, status: 404, message: 'not found' };
  const needed = PROJECT_ACTIONS[need];
  if (!roleAtLeast(role, needed)) {
    return { ok: false, status: 403, message: `needs the ${needed} role in this project (you are ${role})` };
  }
  return { ok: true };
}

/** Projects whose resources the caller may list; `null`: all of them. */
export function visibleProjects(caller: Caller): ReadonlySet<string> | null {
  if (isAdmin(caller) || caller.kind === 'root') return null;
  return new Set(caller.projects.keys());
}

/** Whether the caller may take `action` in `projectId` (the dashboard hides what it may not). */
export function may(caller: Caller, action: ProjectAction, projectId: string): boolean {
  return decide(caller, action, projectId).ok;
}
