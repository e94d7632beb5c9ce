import { Injectable } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit, SimpleGit } from 'simple-git';
import { sshCommand } from './ssh-host-keys';

/**
 * How a fetch authenticates: an HTTP basic header (never in the URL, the arguments or a log),
 * or the ssh command of an SshSession (deploy key and known_hosts in private files).
 */
export type GitAuth = { username: string | null; password: string | null; sshCommand?: undefined } | { sshCommand: string } | null;

/** One ssh fetch's files; `knownHosts()` reads what ssh pinned on first use. */
export type SshSession = { auth: { sshCommand: string }; knownHosts: () => Promise<string> };
export type CommitInfo = { commit: string; author: string; message: string; committedAt: Date };

const TIMEOUT_MS = 120_000;

/**
 * The `git` binary through simple-git, on bare caches under the master's data dir. Every side
 * effect of git lives here; git-pull.service.ts only decides.
 */
@Injectable()
export class GitClient {
  private git(dir: string, auth: GitAuth = null): SimpleGit {
    // Only what git needs from the master's environment: no EDITOR, pager or GIT_* of the host.
    const env: Record<string, string> = {};
    for (const k of ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR']) if (process.env[k] !== undefined) env[k] = process.env[k] as string;
    // Never prompt for a password: a missing or wrong credential is an error, not a hang.
    env.GIT_TERMINAL_PROMPT = '0';
    if (auth && 'sshCommand' in auth && auth.sshCommand) env.GIT_SSH_COMMAND = auth.sshCommand;
    else if (auth && 'password' in auth && auth.password) {
      // Passed as config through the environment: not in the process arguments or the URL, so not in git's messages.
      const basic = Buffer.from(`${auth.username ?? 'git'}:${auth.password}`).toString('base64');
      Object.assign(env, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` });
    }
    return simpleGit({
      baseDir: dir,
      timeout: { block: TIMEOUT_MS },
      allowEnvironment: ['GIT_TERMINAL_PROMPT', 'GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'GIT_CONFIG_VALUE_0', 'GIT_SSH_COMMAND'],
      allowConfig: ['http.extraHeader'],
    }).env(env);
  }

  /**
   * Runs `fn` with the deploy key and the pinned host keys in files of a private directory
   * under `root` (mode 0700/0600), removed afterwards whatever happens.
   */
  async withSsh<T>(root: string, deployKey: string | null, pinnedHosts: string | null, fn: (s: SshSession) => Promise<T>): Promise<T> {
    await mkdir(root, { recursive: true });
    const dir = await mkdtemp(join(root, 'ssh-'));
    try {
      const keyFile = deployKey ? join(dir, 'key') : null;
      if (keyFile) await writeFile(keyFile, deployKey!.endsWith('\n') ? deployKey! : `${deployKey}\n`, { mode: 0o600 });
      const knownHostsFile = join(dir, 'known_hosts');
      await writeFile(knownHostsFile, pinnedHosts ?? '', { mode: 0o600 });
      return await fn({ auth: { sshCommand: sshCommand(keyFile, knownHostsFile, !!pinnedHosts) }, knownHosts: () => readFile(knownHostsFile, 'utf8') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async ensureBare(dir: string): Promise<void> {
    if (existsSync(`${dir}/HEAD`)) return;
    await mkdir(dir, { recursive: true });
    await this.git(dir).raw(['init', '--bare', '--quiet']);
  }

  /** Branches to refs/remotes/origin/*, tags to refs/tags/*; forced (force-pushes) and pruned (deleted branches). */
  async fetch(dir: string, url: string, auth: GitAuth): Promise<void> {
    await this.git(dir, auth).raw(['fetch', '--quiet', '--prune', '--force', '--no-tags', url, '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*']);
  }

  /** The commit `ref` names after a fetch (branch, then tag, then a commit id); null when none. */
  async resolve(dir: string, ref: string): Promise<string | null> {
    const candidates = [`refs/remotes/origin/${ref}`, `refs/tags/${ref}`];
    if (/^[0-9a-f]{7,40}$/i.test(ref)) candidates.push(ref);
    for (const c of candidates) {
      const sha = await this.revParse(dir, `${c}^{commit}`);
      if (sha) return sha;
    }
    return null;
  }

  /** The tree id of `path` in `commit` ('' = the root); null when the path is missing or not a directory. */
  async treeAt(dir: string, commit: string, path: string): Promise<string | null> {
    const id = await this.revParse(dir, path ? `${commit}:${path}` : `${commit}^{tree}`);
    if (!id) return null;
    const type = (await this.git(dir).raw(['cat-file', '-t', id])).trim();
    return type === 'tree' ? id : null;
  }

  async commitInfo(dir: string, commit: string): Promise<CommitInfo> {
    const out = await this.git(dir).raw(['log', '-1', '--format=%H%x1f%an <%ae>%x1f%aI%x1f%s', commit]);
    const [sha, author, date, message] = out.trim().split('\x1f');
    return { commit: sha, author, committedAt: new Date(date), message: message ?? '' };
  }

  /** The tree as a .tar.gz file (a tree id, not a commit: no pax header in the archive). */
  async archive(dir: string, tree: string, outFile: string): Promise<void> {
    await this.git(dir).raw(['archive', '--format=tar.gz', '-o', outFile, tree]);
  }

  private async revParse(dir: string, spec: string): Promise<string | null> {
    try {
      return (await this.git(dir).raw(['rev-parse', '--verify', '--quiet', spec])).trim() || null;
    } catch {
      // --verify --quiet exits 1 without output for a name that does not exist: "not found", nothing to log.
      return null;
    }
  }
}
