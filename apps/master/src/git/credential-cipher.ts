import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

export type SealedSecret = { v: 1; iv: string; tag: string; data: string };

/**
 * Git credentials at rest: AES-256-GCM under a key from the master's config
 * (CRAWLNEST_SECRETS_KEY, else derived from the cluster secret), so a database dump alone
 * does not reveal them.
 */
export class CredentialCipher {
  private readonly key: Buffer;

  constructor(secretsKey: string | undefined, clusterSecret: string) {
    this.key = secretsKey
      ? createHash('sha256').update(secretsKey).digest()
      : Buffer.from(hkdfSync('sha256', clusterSecret, 'crawlnest', 'git-credentials', 32));
  }

  seal(plain: string): SealedSecret {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return { v: 1, iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), data: data.toString('base64') };
  }

  open(s: SealedSecret): string {
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(s.iv, 'base64'));
    d.setAuthTag(Buffer.from(s.tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(s.data, 'base64')), d.final()]).toString('utf8');
  }
}
