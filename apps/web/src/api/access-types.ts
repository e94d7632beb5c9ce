/** Team access shapes (docs/api.md, "Team"): ProjectRole, Me, User, Project, PersonalToken, CreatedToken, AuditEvent, generated like the rest (types.ts). */
export type * from './generated';
