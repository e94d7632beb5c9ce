import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { PERSONAL_TOKEN_MODEL, SESSION_MODEL } from './access.schema';
import { PersonalTokenRecord, SessionRecord } from './access.types';

type SessionDoc = Omit<SessionRecord, 'id'> & { _id: string; ip: string };
type TokenDoc = Omit<PersonalTokenRecord, 'id'> & { _id: string };

/** Sessions and personal tokens, both read by `_id` on every request (the hot path). */
@Injectable()
export class CredentialRepository {
  constructor(
    @InjectModel(SESSION_MODEL) private readonly sessions: Model<SessionDoc>,
    @InjectModel(PERSONAL_TOKEN_MODEL) private readonly tokens: Model<TokenDoc>,
  ) {}

  async createSession(s: SessionRecord, ip: string): Promise<void> {
    const { id, ...rest } = s;
    await this.sessions.create({ _id: id, ...rest, ip });
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const d = await this.sessions.findById(id).lean<SessionDoc>();
    return d ? { id: d._id, userId: d.userId, secretHash: d.secretHash, csrfHash: d.csrfHash, createdAt: d.createdAt, lastSeenAt: d.lastSeenAt, expiresAt: d.expiresAt } : null;
  }

  async touchSession(id: string, at: Date): Promise<void> {
    await this.sessions.updateOne({ _id: id }, { $set: { lastSeenAt: at } });
  }

  async deleteSession(id: string): Promise<void> {
    await this.sessions.deleteOne({ _id: id });
  }

  async deleteSessionsOf(userId: string): Promise<void> {
    await this.sessions.deleteMany({ userId });
  }

  async deleteExpiredSessions(before: Date): Promise<void> {
    await this.sessions.deleteMany({ expiresAt: { $lt: before } });
  }

  async createToken(t: PersonalTokenRecord): Promise<void> {
    const { id, ...rest } = t;
    await this.tokens.create({ _id: id, ...rest });
  }

  async findToken(id: string): Promise<PersonalTokenRecord | null> {
    const d = await this.tokens.findById(id).lean<TokenDoc>();
    return d ? { ...d, id: d._id } : null;
  }

  async listTokens(userId: string): Promise<PersonalTokenRecord[]> {
    return (await this.tokens.find({ userId }).lean<TokenDoc[]>()).map((d) => ({ ...d, id: d._id }));
  }

  async touchToken(id: string, at: Date): Promise<void> {
    await this.tokens.updateOne({ _id: id }, { $set: { lastUsedAt: at } });
  }

  async deleteToken(id: string): Promise<void> {
    await this.tokens.deleteOne({ _id: id });
  }
}
