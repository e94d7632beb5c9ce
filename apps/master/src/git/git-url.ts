import { BadInputError } from '@crawlnest/node';

/** A source URL split from the credentials a user may have written into it. */
export type ParsedSourceUrl = { url: string; username: string | null; password: string | null };

const SCHEMES = ['https:', 'http:', 'git:', 'file:', 'ssh:'];

/**
 * Accepts https://, http://, git://, file:// and ssh:// URLs and scp-like `git@host:path`;
 * `https://user:token@host/…` loses its userinfo here, so only the clean URL is ever stored
 * in clear, logged or returned.
 */
export function parseSourceUrl(raw: string): ParsedSourceUrl {
  const text = raw.trim();
  if (/^[\w.-]+@[\w.-]+:(?!\/\/)/.test(text)) return { url: text, username: null, password: null };
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new GitInputError(`url: not a URL: ${redactUrl(text)}`);
  }
  if (!SCHEMES.includes(u.protocol)) throw new GitInputError(`url: ${u.protocol} is not supported (https, http, git, file, ssh)`);
  const username = u.username ? decodeURIComponent(u.username) : null;
  const password = u.password ? decodeURIComponent(u.password) : null;
  if (u.protocol !== 'ssh:') {
    u.username = '';
    u.password = '';
  } else if (password) {
    u.password = '';
  }
  return { url: u.toString(), username: u.protocol === 'ssh:' ? null : username, password };
}

/** A URL with any userinfo password removed, for messages about a URL that failed to parse. */
export function redactUrl(text: string): string {
  return text.replace(/(\/\/[^/@:\s]*):[^/@\s]*@/g, '$1:***@');
}

/**
 * The repository a URL names, for matching webhook payloads to sources: host and path,
 * lower-case, without scheme, credentials, port of the well-known schemes, `.git` or a
 * trailing slash. `git@host:owner/repo.git` and `https://host/owner/repo` are the same repository.
 */
export function repoKey(url: string): string {
  const scp = /^[\w.-]+@([\w.-]+):(?!\/\/)(.*)$/.exec(url.trim());
  let hostPath: string;
  if (scp) hostPath = `${scp[1]}/${scp[2]}`;
  else {
    try {
      const u = new URL(url.trim());
      hostPath = `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
    } catch {
      hostPath = url.trim();
    }
  }
  return hostPath.toLowerCase().replace(/\/+$/, '').replace(/\.git$/, '').replace(/\/+$/, '');
}

/** Replaces every occurrence of each secret in a message (git output, errors). */
export function redactSecrets(text: string, secrets: (string | null | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('***');
  return out;
}

/** A branch, tag or commit id: no option-like or path-escaping refs reach git. */
export function checkRef(ref: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_./-]{0,199}$/.test(ref) || ref.includes('..') || ref.endsWith('.lock') || ref.endsWith('/')) {
    throw new GitInputError(`ref: '${ref}' is not a valid branch, tag or commit`);
  }
  return ref;
}

/** A subdirectory of the repository ('' = its root). */
export function checkSubPath(path: string | undefined | null): string {
  const p = (path ?? '').replace(/^\/+|\/+$/g, '');
  if (p === '') return '';
  if (p.split('/').some((s) => s === '' || s === '.' || s === '..') || !/^[\w./@+ -]+$/.test(p)) throw new GitInputError(`path: '${path}' is not a relative directory of the repository`);
  return p;
}

export class GitInputError extends BadInputError {}
