/** Team access shapes (docs/api.md, "Team"), aliases of the generated OpenAPI types (see types.ts). */
import type { components } from './generated';

type Schemas = components['schemas'];

export type ProjectRole = Schemas['ProjectMemberDto']['role'];
export type Me = Schemas['MeDto'];
export type User = Schemas['UserDto'];
export type UserInput = Schemas['CreateUserDto'];
export type UserPatch = Schemas['PatchUserDto'];
export type LoginResult = Schemas['LoginResultDto'];
export type Project = Schemas['ProjectDto'];
export type PersonalToken = Schemas['TokenDto'];
export type CreatedToken = Schemas['CreatedTokenDto'];
export type AuditEvent = Schemas['AuditEventDto'];
