import { Schema } from 'mongoose';

export const USER_MODEL = 'User';
export const PROJECT_MODEL = 'Project';
export const SESSION_MODEL = 'Session';
export const PERSONAL_TOKEN_MODEL = 'PersonalToken';
export const AUDIT_MODEL = 'AuditEvent';

/**
 * Users carry their project memberships: every request reads its caller by `_id` once
 * (cheap on FerretDB) and has all its roles; a project's member list scans the (small) users.
 */
export const UserSchema = new Schema(
  {
    username: { type: String, required: true },
    passwordHash: { type: String, default: null },
    role: { type: String, required: true },
    disabled: { type: Boolean, default: false },
    memberships: { type: [{ projectId: String, role: String, _id: false }], default: [] },
  },
  { collection: 'users', versionKey: false, timestamps: true },
);
UserSchema.index({ username: 1 }, { unique: true, name: 'user_username_unique' });

export const ProjectSchema = new Schema(
  { name: { type: String, required: true }, description: { type: String, default: '' } },
  { collection: 'projects', versionKey: false, timestamps: true },
);
ProjectSchema.index({ name: 1 }, { unique: true, name: 'project_name_unique' });

/** `_id` = the id part of the session token; `secretHash` = sha256 of its secret part. */
export const SessionSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    secretHash: { type: String, required: true },
    csrfHash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    ip: { type: String, default: '' },
  },
  { collection: 'sessions', versionKey: false },
);

export const PersonalTokenSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    name: { type: String, required: true },
    secretHash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, default: null },
    lastUsedAt: { type: Date, default: null },
  },
  { collection: 'personal_tokens', versionKey: false },
);

export const AuditSchema = new Schema(
  {
    at: { type: Date, required: true },
    userId: { type: String, default: null },
    username: { type: String, default: null },
    via: { type: String, required: true },
    ip: { type: String, default: '' },
    action: { type: String, required: true },
    resourceId: { type: String, default: null },
    projectId: { type: String, default: null },
    status: { type: Number, required: true },
    detail: { type: String, default: '' },
  },
  { collection: 'audit', versionKey: false },
);
