import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Types } from 'mongoose';

/**
 * Session and personal tokens: `cn<kind>_<id>_<secret>`. The id is the document `_id`
 * (a cheap lookup on FerretDB); only sha256(secret) is stored, so a database dump signs no
 * one in. 32 random bytes make sha256 (no salt, no stretching) enough: nothing to guess.
 */
export type TokenKind = 's' | 'p';

export type IssuedToken = { id: string; token: string; hash: string };

export function issueToken(kind: TokenKind): IssuedToken {
  const id = new Types.ObjectId().toHexString();
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `cn${kind}_${id}_${secret}`, hash: sha256(secret) };
}

export function parseToken(token: string): { kind: TokenKind; id: string; secret: string } | null {
  const m = /^cn([sp])_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/.exec(token);
  return m ? { kind: m[1] as TokenKind, id: m[2], secret: m[3] } : null;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function hashMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(sha256(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
