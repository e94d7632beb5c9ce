import { Injectable } from '@nestjs/common';
import { NotFoundError } from '@crawlnest/node';
import { PersonalTokenRecord } from './access.types';
import { CredentialRepository } from './credential.repository';
import { issueToken } from './secret-token';

export type TokenView = { id: string; name: string; createdAt: string; expiresAt: string | null; lastUsedAt: string | null };

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** Personal access tokens: act as their user, with that user's roles. */
@Injectable()
export class TokensService {
  constructor(private readonly credentials: CredentialRepository) {}

  async create(userId: string, name: string, expiresInDays?: number): Promise<{ id: string; token: string; expiresAt: string | null }> {
    const issued = issueToken('p');
    const now = new Date();
    const expiresAt = expiresInDays ? new Date(now.getTime() + expiresInDays * 86_400_000) : null;
    await this.credentials.createToken({ id: issued.id, userId, name, secretHash: issued.hash, createdAt: now, expiresAt, lastUsedAt: null });
    return { id: issued.id, token: issued.token, expiresAt: iso(expiresAt) };
  }

  async list(userId: string): Promise<TokenView[]> {
    return (await this.credentials.listTokens(userId)).map(view);
  }

  /** Only the owner revokes a token (404 for anyone else's: it does not show). */
  async revoke(userId: string, id: string): Promise<void> {
    const t = await this.credentials.findToken(id);
    if (!t || t.userId !== userId) throw new NotFoundError('token', id);
    await this.credentials.deleteToken(id);
  }
}

function view(t: PersonalTokenRecord): TokenView {
  return { id: t.id, name: t.name, createdAt: new Date(t.createdAt).toISOString(), expiresAt: iso(t.expiresAt), lastUsedAt: iso(t.lastUsedAt) };
}
