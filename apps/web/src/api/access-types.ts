/** Team access shapes (docs/api.md, "Team"). */
export type ProjectRole = 'viewer' | 'runner' | 'editor' | 'owner';
export type Me = { id: string | null; username: string; role: 'admin' | 'member'; projects: { id: string; name: string; role: ProjectRole }[] };
export type User = { id: string; username: string; role: 'admin' | 'member'; disabled: boolean; projects: { projectId: string; role: ProjectRole }[]; createdAt: string };
export type Project = { id: string; name: string; description: string; createdAt: string; role: ProjectRole | null; members: { userId: string; username: string; role: ProjectRole }[] };
export type PersonalToken = { id: string; name: string; createdAt: string; expiresAt: string | null; lastUsedAt: string | null };
export type CreatedToken = { id: string; token: string; expiresAt: string | null };
export type AuditEvent = { id: string; at: string; userId: string | null; username: string | null; via: string; ip: string; action: string; resourceId: string | null; projectId: string | null; status: number; detail: string };
