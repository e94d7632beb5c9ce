import type { ProjectRole, UserRole } from './access.policy';

export type Membership = { projectId: string; role: ProjectRole };

export type UserRecord = {
  id: string;
  username: string;
  passwordHash: string | null;
  role: UserRole;
  disabled: boolean;
  memberships: Membership[];
  createdAt: Date;
  updatedAt: Date;
};

export type UserView = { id: string; username: string; role: UserRole; disabled: boolean; projects: Membership[]; createdAt: string; updatedAt: string };

export function toUserView(u: UserRecord): UserView {
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    disabled: u.disabled,
    projects: u.memberships,
    createdAt: new Date(u.createdAt).toISOString(),
    updatedAt: new Date(u.updatedAt).toISOString(),
  };
}

export type ProjectRecord = { id: string; name: string; description: string; createdAt: Date };

export type SessionRecord = { id: string; userId: string; secretHash: string; csrfHash: string; createdAt: Date; lastSeenAt: Date; expiresAt: Date };

export type PersonalTokenRecord = { id: string; userId: string; name: string; secretHash: string; createdAt: Date; expiresAt: Date | null; lastUsedAt: Date | null };

export type AuditEvent = {
  at: Date;
  userId: string | null;
  username: string | null;
  /** How the actor signed in: root (CRAWLNEST_API_TOKEN), session, token, or anonymous (a failed login). */
  via: 'root' | 'session' | 'token' | 'anonymous' | 'system';
  ip: string;
  action: string;
  resourceId: string | null;
  projectId: string | null;
  status: number;
  detail: string;
};

export type AuditFilter = { userId?: string; projectId?: string; projectIds?: string[]; action?: string; after?: Date };
