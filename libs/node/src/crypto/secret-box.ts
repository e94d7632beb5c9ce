import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * AES-256-GCM for secrets at rest (notification webhook secrets and SMTP passwords, git
 * credentials and deploy keys). One key for all: CRAWLNEST_SECRETS_KEY. The key is derived from
 * the configured key string by SHA-256, so any long random string works as configuration.
 * Boxed form: `v1.<iv b64>.<tag b64>.<ciphertext b64>`; a wrong key or a changed byte fails to open.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(keyMaterial: string) {
    if (keyMaterial.length < 16) throw new Error('secrets key: expected at least 16 characters');
    this.key = createHash('sha256').update(keyMaterial).digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return [VERSION, iv.toString('base64'), c.getAuthTag().toString('base64'), body.toString('base64')].join('.');
  }

  open(boxed: string): string {
    const [v, iv, tag, body] = boxed.split('.');
    if (v !== VERSION || !iv || !tag || body === undefined) throw new Error('secret box: unknown format');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    d.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(body, 'base64')), d.final()]).toString('utf8');
  }
}

/**
 * The boxed form of a secret git sources stored as `{v, iv, tag, data}` before they used
 * SecretBox: the same cipher under the same key (SHA-256 of the secrets key), so it opens.
 */
export function boxedFromParts(p: { v: number; iv: string; tag: string; data: string }): string {
  return [`v${p.v}`, p.iv, p.tag, p.data].join('.');
}
