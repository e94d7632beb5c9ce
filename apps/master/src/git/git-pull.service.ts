import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BadInputError, NotFoundError, SecretBox } from '@crawlnest/node';
import { readTarGz, removeStaged, SpiderFilesService, SpiderService, StagedFile, SYNC_MASTER_OPTIONS, SyncMasterOptions } from '@crawlnest/sync';
import { GitClient } from './git.client';
import { GIT_OPTIONS, GitOptions } from './git.options';
import { GitSourceRecord, GitSourceRepository, VersionCommit } from './git-source.repository';
import { checkRef, checkSubPath, GitInputError, parseSourceUrl, redactSecrets, repoKey } from './git-url';
import { fingerprintOf, isSshUrl, sshHostOf } from './ssh-host-keys';

export type SourceInput = { url: string; ref?: string; path?: string; username?: string; token?: string; sshKey?: string; autoPullSec?: number };
export type SourceView = {
  spiderId: string;
  url: string;
  ref: string;
  path: string;
  username: string | null;
  hasCredential: boolean;
  autoPullSec: number;
  lastCommit: string | null;
  lastPulledAt: string | null;
  lastError: string | null;
  hostKeyFingerprint: string | null;
};
export type PullResult = { changed: boolean; version: number; commit: string };

/** A pull that git refused (unreachable, unknown ref, wrong credential): a clear 400 naming the URL only. */
export class GitPullError extends BadInputError {}

/**
 * Spiders from git: a source per spider, a pull makes a new version (through the ordinary
 * upload service) only when the tree at the ref, under the path, changed.
 */
@Injectable()
export class GitPullService {
  private readonly log = new Logger(GitPullService.name);
  private readonly box: SecretBox;
  /** One pull per repository cache at a time on this replica (git locks its refs anyway). */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly repo: GitSourceRepository,
    private readonly git: GitClient,
    private readonly spiders: SpiderService,
    private readonly files: SpiderFilesService,
    @Inject(SYNC_MASTER_OPTIONS) private readonly limits: SyncMasterOptions,
    @Inject(GIT_OPTIONS) private readonly opts: GitOptions,
  ) {
    this.box = new SecretBox(opts.secretsKey);
  }

  async setSource(spiderId: string, input: SourceInput): Promise<SourceView> {
    await this.spiders.require(spiderId);
    const parsed = this.parse(input.url);
    const ref = checkRef(input.ref ?? 'main');
    const path = checkSubPath(input.path);
    const previous = await this.repo.find(spiderId);
    if (input.autoPullSec !== undefined && input.autoPullSec > 0 && input.autoPullSec < 10) throw new BadInputError("autoPullSec: expected 0 (off) or 10..86400");
    const ssh = isSshUrl(parsed.url);
    if (ssh && input.token !== undefined) throw new BadInputError('token: an ssh URL authenticates with sshKey (a deploy key)');
    if (!ssh && input.sshKey !== undefined) throw new BadInputError('sshKey: only for ssh:// and user@host:path URLs');
    if (input.sshKey !== undefined && !/^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\r?\n[\s\S]+-----END [A-Z0-9 ]*PRIVATE KEY-----\s*$/.test(input.sshKey.trim())) {
      throw new BadInputError('sshKey: expected a private key in PEM or OpenSSH format (-----BEGIN … PRIVATE KEY-----), without a passphrase');
    }
    // The source's one secret: the HTTP token or password, or the ssh deploy key.
    const password = input.sshKey?.trim() ?? input.token ?? parsed.password;
    const sameRepo = previous !== null && previous.url === parsed.url;
    const s: GitSourceRecord = {
      _id: spiderId,
      url: parsed.url,
      ref,
      path,
      username: ssh ? null : (input.username ?? parsed.username ?? (password ? null : sameRepo ? previous.username : null)),
      // A source re-set without a token keeps the stored one for the same repository.
      credential: password ? this.box.seal(password) : sameRepo ? previous.credential : null,
      autoPullSec: input.autoPullSec ?? previous?.autoPullSec ?? 0,
      lastCommit: sameRepo ? previous.lastCommit : null,
      lastTree: sameRepo && previous.ref === ref && previous.path === path ? previous.lastTree : null,
      lastPulledAt: sameRepo ? previous.lastPulledAt : null,
      lastError: null,
      // Host keys stay pinned while the URL stays (remove the source to trust a new key).
      knownHosts: sameRepo ? previous.knownHosts : null,
      hostKeyFingerprint: sameRepo ? previous.hostKeyFingerprint : null,
      updatedAt: new Date(),
    };
    await this.repo.save(s);
    this.log.log({ msg: 'git source set', spider: spiderId, url: s.url, ref, path, credential: s.credential !== null });
    return view(s);
  }

  async getSource(spiderId: string): Promise<SourceView> {
    return view(await this.requireSource(spiderId));
  }

  async deleteSource(spiderId: string): Promise<void> {
    await this.requireSource(spiderId);
    await this.repo.delete(spiderId);
  }

  /** The spider's versions, each with the commit it was pulled from (`git: null` for uploads). */
  async versions(spiderId: string) {
    const [versions, commits] = await Promise.all([this.files.listVersions(spiderId), this.repo.commitsOf(spiderId)]);
    const byVersion = new Map(commits.map((c) => [c.version, c]));
    return versions.map((v) => ({ ...v, git: commitView(byVersion.get(v.version)) }));
  }

  /** The commit a version was pulled from; null for an uploaded one. */
  async commitOf(spiderId: string, version: number): Promise<CommitView | null> {
    return commitView((await this.repo.commitOf(spiderId, version)) ?? undefined);
  }

  async pull(spiderId: string): Promise<PullResult> {
    const source = await this.requireSource(spiderId);
    const dir = join(this.opts.cacheDir, createHash('sha256').update(source.url).digest('hex').slice(0, 32));
    return this.serialized(dir, () => this.pullLocked(source, dir));
  }

  /** Pulls the sources whose repository and branch a push event names. */
  async pullMatching(repoUrls: string[], matchesRef: (ref: string) => boolean): Promise<({ spiderId: string } & (PullResult | { error: string }))[]> {
    const keys = new Set(repoUrls.map(repoKey));
    const out: ({ spiderId: string } & (PullResult | { error: string }))[] = [];
    for (const s of await this.repo.all()) {
      if (!keys.has(repoKey(s.url)) || !matchesRef(s.ref)) continue;
      try {
        out.push({ spiderId: s._id, ...(await this.pull(s._id)) });
      } catch (err) {
        out.push({ spiderId: s._id, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return out;
  }

  /** Sources whose auto-pull interval is set. */
  async autoPullSources(): Promise<GitSourceRecord[]> {
    return (await this.repo.all()).filter((s) => s.autoPullSec > 0);
  }

  private async pullLocked(source: GitSourceRecord, dir: string): Promise<PullResult> {
    const spiderId = source._id;
    const password = source.credential ? this.box.open(source.credential) : null;
    const fail = async (message: string): Promise<never> => {
      const clean = redactSecrets(message, [password]);
      await this.repo.recordPull(spiderId, { lastPulledAt: new Date(), lastError: clean });
      this.log.warn({ msg: 'git pull failed', spider: spiderId, url: source.url, ref: source.ref, error: clean });
      throw new GitPullError(clean);
    };
    try {
      await this.git.ensureBare(dir);
      if (isSshUrl(source.url)) await this.fetchOverSsh(source, dir, password);
      else await this.git.fetch(dir, source.url, password ? { username: source.username, password } : null);
    } catch (err) {
      return fail(`git fetch of ${source.url} failed: ${gitMessage(err, source)}`);
    }
    const commit = await this.git.resolve(dir, source.ref);
    if (!commit) return fail(`ref '${source.ref}' not found in ${source.url} (a deleted branch?); the spider keeps its current version`);
    const tree = await this.git.treeAt(dir, commit, source.path);
    if (!tree) return fail(`path '${source.path}' is not a directory at ${source.ref} (${commit.slice(0, 12)}) in ${source.url}`);
    const spider = await this.spiders.require(spiderId);
    if (tree === source.lastTree && spider.version > 0) {
      await this.repo.recordPull(spiderId, { lastPulledAt: new Date(), lastError: null, lastCommit: commit });
      return { changed: false, version: spider.version, commit };
    }
    const archive = join(this.limits.uploadDir, `git-${Date.now()}-${randomBytes(6).toString('hex')}.tar.gz`);
    let files: StagedFile[] = [];
    try {
      await this.git.archive(dir, tree, archive);
      files = await readTarGz(archive, this.limits.uploadDir, this.limits);
      if (files.length === 0) return fail(`'${source.path || '/'}' at ${source.ref} in ${source.url} has no files`);
      const summary = await this.files.replaceAll(spiderId, files);
      const info = await this.git.commitInfo(dir, commit);
      await this.repo.saveCommit({ spiderId, version: summary.version, ref: source.ref, ...info });
      await this.repo.recordPull(spiderId, { lastPulledAt: new Date(), lastError: null, lastCommit: commit, lastTree: tree });
      this.log.log({ msg: 'git pull made a version', spider: spiderId, url: source.url, ref: source.ref, commit, version: summary.version });
      return { changed: true, version: summary.version, commit };
    } finally {
      await removeStaged(files);
      await rm(archive, { force: true });
    }
  }

  /** With the deploy key; the host key is pinned on the first successful fetch, then must match. */
  private async fetchOverSsh(source: GitSourceRecord, dir: string, deployKey: string | null): Promise<void> {
    await this.git.withSsh(join(this.opts.cacheDir, '.ssh'), deployKey, source.knownHosts, async (ssh) => {
      await this.git.fetch(dir, source.url, ssh.auth);
      if (source.knownHosts) return;
      const knownHosts = (await ssh.knownHosts()).trim();
      if (!knownHosts) return;
      const hostKeyFingerprint = fingerprintOf(knownHosts);
      await this.repo.recordPull(source._id, { lastPulledAt: new Date(), lastError: null, knownHosts, hostKeyFingerprint });
      this.log.log({ msg: 'git ssh host key pinned', spider: source._id, host: sshHostOf(source.url), fingerprint: hostKeyFingerprint });
    });
  }

  private parse(url: string) {
    try {
      return parseSourceUrl(url);
    } catch (err) {
      if (err instanceof GitInputError) throw new BadInputError(err.message);
      throw err;
    }
  }

  private async requireSource(spiderId: string): Promise<GitSourceRecord> {
    await this.spiders.require(spiderId);
    const s = await this.repo.find(spiderId);
    if (!s) throw new NotFoundError('git source of spider', spiderId);
    return s;
  }

  private async serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.locks.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.locks.set(key, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    }
  }
}

export type CommitView = { commit: string; author: string; message: string; committedAt: string; ref: string };

function commitView(c: VersionCommit | undefined): CommitView | null {
  return c ? { commit: c.commit, author: c.author, message: c.message, committedAt: new Date(c.committedAt).toISOString(), ref: c.ref } : null;
}

function view(s: GitSourceRecord): SourceView {
  return {
    spiderId: s._id,
    url: s.url,
    ref: s.ref,
    path: s.path,
    username: s.username,
    hasCredential: s.credential !== null,
    autoPullSec: s.autoPullSec,
    lastCommit: s.lastCommit,
    lastPulledAt: s.lastPulledAt ? new Date(s.lastPulledAt).toISOString() : null,
    lastError: s.lastError,
    hostKeyFingerprint: s.hostKeyFingerprint,
  };
}

/** git's own complaint (its last stderr lines), without simple-git's wrapping. */
function gitMessage(err: unknown, source: GitSourceRecord): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/i.test(text) && source.knownHosts) {
    return `the host key of ${sshHostOf(source.url)} is not the one pinned on first use (${source.hostKeyFingerprint}): refused. If the server's key really changed, remove the git source and set it again`;
  }
  if (/Permission denied \(publickey/i.test(text)) return 'authentication refused (wrong or missing deploy key)';
  // With prompts off, git reports a refused credential as a prompt it could not show.
  if (/Authentication failed|terminal prompts disabled|could not read (Username|Password)|HTTP 401|HTTP 403/i.test(text)) {
    return 'authentication refused (wrong or missing credential)';
  }
  return text.split('\n').map((l) => l.trim()).filter(Boolean).slice(-3).join(' ');
}
