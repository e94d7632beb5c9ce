import { createHash } from 'node:crypto';

/** `ssh://…` or scp-like `user@host:path`: fetched through ssh with a deploy key. */
export function isSshUrl(url: string): boolean {
  return /^ssh:\/\//i.test(url) || /^[\w.-]+@[\w.-]+:(?!\/\/)/.test(url);
}

/** The host (and port) of an ssh URL, for messages. */
export function sshHostOf(url: string): string {
  const scp = /^[\w.-]+@([\w.-]+):(?!\/\/)/.exec(url);
  if (scp) return scp[1];
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * The fingerprint ssh-keygen -l shows (`ssh-ed25519 SHA256:…`) of the first key in
 * known_hosts text; null when there is none.
 */
export function fingerprintOf(knownHosts: string | null): string | null {
  for (const line of (knownHosts ?? '').split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 3 || parts[0].startsWith('#')) continue;
    const digest = createHash('sha256').update(Buffer.from(parts[2], 'base64')).digest('base64').replace(/=+$/, '');
    return `${parts[1]} SHA256:${digest}`;
  }
  return null;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * GIT_SSH_COMMAND for one fetch: no user or system ssh config, no agent, no prompt; only the
 * deploy key; the host keys from our own known_hosts file: pinned ones must match
 * (StrictHostKeyChecking=yes), on first use the server's key is accepted and written there.
 */
export function sshCommand(keyFile: string | null, knownHostsFile: string, pinned: boolean): string {
  return [
    'ssh -F /dev/null',
    '-o BatchMode=yes',
    '-o IdentitiesOnly=yes',
    '-o IdentityAgent=none',
    keyFile ? `-i ${quote(keyFile)}` : '-o IdentityFile=none',
    `-o UserKnownHostsFile=${quote(knownHostsFile)}`,
    '-o GlobalKnownHostsFile=/dev/null',
    `-o StrictHostKeyChecking=${pinned ? 'yes' : 'accept-new'}`,
    '-o HashKnownHosts=no',
    '-o UpdateHostKeys=no',
    '-o LogLevel=ERROR',
  ].join(' ');
}
