import { createHmac, timingSafeEqual } from 'node:crypto';

export type Provider = 'github' | 'gitlab' | 'gitea';
export type PushEvent = { provider: Provider; ref: string; repoUrls: string[] };
type Headers = Record<string, string | string[] | undefined>;

function header(h: Headers, name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function sameBytes(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const hmacHex = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest('hex');

/** Which service sent the request, from its event header. */
export function providerOf(h: Headers): Provider | null {
  // Gitea also sends X-GitHub-Event for compatibility: look for its own header first.
  if (header(h, 'x-gitea-event')) return 'gitea';
  if (header(h, 'x-gitlab-event')) return 'gitlab';
  if (header(h, 'x-github-event')) return 'github';
  return null;
}

/**
 * Each service's own proof: GitHub `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body>`,
 * Gitea `X-Gitea-Signature: <HMAC-SHA256 hex>`, GitLab `X-Gitlab-Token: <the secret>`.
 */
export function signatureValid(provider: Provider, h: Headers, body: Buffer, secret: string): boolean {
  switch (provider) {
    case 'github': {
      const sig = header(h, 'x-hub-signature-256') ?? '';
      return sameBytes(sig, `sha256=${hmacHex(secret, body)}`);
    }
    case 'gitea': {
      const sig = header(h, 'x-gitea-signature') ?? '';
      return sameBytes(sig, hmacHex(secret, body));
    }
    case 'gitlab':
      return sameBytes(header(h, 'x-gitlab-token') ?? '', secret);
  }
}

/** A push event's ref and every URL its repository is known by; null for other events. */
export function pushEvent(provider: Provider, h: Headers, payload: unknown): PushEvent | null {
  const event = provider === 'github' ? header(h, 'x-github-event') : provider === 'gitea' ? header(h, 'x-gitea-event') : header(h, 'x-gitlab-event');
  const isPush = provider === 'gitlab' ? event === 'Push Hook' || event === 'Tag Push Hook' : event === 'push';
  if (!isPush || typeof payload !== 'object' || payload === null) return null;
  const p = payload as { ref?: unknown; repository?: Record<string, unknown>; project?: Record<string, unknown> };
  if (typeof p.ref !== 'string') return null;
  const fields = ['clone_url', 'html_url', 'ssh_url', 'git_url', 'url', 'git_http_url', 'git_ssh_url', 'web_url', 'http_url', 'homepage'];
  const urls = new Set<string>();
  for (const src of [p.repository, p.project]) {
    if (!src) continue;
    for (const f of fields) if (typeof src[f] === 'string' && src[f]) urls.add(src[f] as string);
  }
  return { provider, ref: p.ref, repoUrls: [...urls] };
}

/** Does a source's ref follow this pushed ref (`refs/heads/<branch>` or `refs/tags/<tag>`)? */
export function refMatches(sourceRef: string, pushedRef: string): boolean {
  return pushedRef === `refs/heads/${sourceRef}` || pushedRef === `refs/tags/${sourceRef}` || pushedRef === sourceRef;
}
