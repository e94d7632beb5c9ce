import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { USER_MODEL } from './access.schema';
import { Membership, UserRecord } from './access.types';
import type { ProjectRole, UserRole } from './access.policy';

type UserDoc = Omit<UserRecord, 'id'> & { _id: Types.ObjectId };

function toRecord(d: UserDoc): UserRecord {
  const { _id, ...rest } = d;
  return { ...rest, id: String(_id), memberships: (rest.memberships ?? []).map((m) => ({ projectId: m.projectId, role: m.role })) };
}

/** The `users` collection (small: a team, not a crowd). */
@Injectable()
export class UserRepository implements OnModuleInit {
  constructor(@InjectModel(USER_MODEL) private readonly model: Model<UserDoc>) {}

  async onModuleInit(): Promise<void> {
    await this.model.createIndexes();
  }

  async create(u: { username: string; passwordHash: string; role: UserRole }): Promise<UserRecord> {
    const doc = await this.model.create({ ...u, disabled: false, memberships: [] });
    return toRecord(doc.toObject<UserDoc>());
  }

  async findById(id: string): Promise<UserRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const d = await this.model.findById(id).lean<UserDoc>();
    return d ? toRecord(d) : null;
  }

  async findByUsername(username: string): Promise<UserRecord | null> {
    const d = await this.model.findOne({ username }).lean<UserDoc>();
    return d ? toRecord(d) : null;
  }

  async list(): Promise<UserRecord[]> {
    return (await this.model.find().sort({ username: 1 }).lean<UserDoc[]>()).map(toRecord);
  }

  async count(): Promise<number> {
    return this.model.estimatedDocumentCount();
  }

  async update(id: string, set: Partial<Pick<UserRecord, 'role' | 'disabled' | 'passwordHash'>>): Promise<UserRecord | null> {
    await this.model.updateOne({ _id: new Types.ObjectId(id) }, { $set: set });
    return this.findById(id);
  }

  /** Read-then-write of one user's list (FerretDB updates are not atomic either way); one admin edits at a time in practice. */
  async setMembership(userId: string, projectId: string, role: ProjectRole | null): Promise<UserRecord | null> {
    const u = await this.findById(userId);
    if (!u) return null;
    const rest: Membership[] = u.memberships.filter((m) => m.projectId !== projectId);
    const memberships = role ? [...rest, { projectId, role }] : rest;
    return this.setMemberships(userId, memberships);
  }

  private async setMemberships(id: string, memberships: Membership[]): Promise<UserRecord | null> {
    await this.model.updateOne({ _id: new Types.ObjectId(id) }, { $set: { memberships } });
    return this.findById(id);
  }
}
