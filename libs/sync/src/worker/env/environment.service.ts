import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildEnvironment, directorySize, EnvBuildError } from './env-builder';
import { DEPENDENCY_FILES, EnvKind, envKey, EnvSpec, isEnvKey, REQUIRED_TOOL } from '../../env-spec';
import { ENV_WORKER_OPTIONS, EnvWorkerOptions } from './env-worker.options';
import { probeRuntimes, Runtime } from './runtimes.probe';
import { killInstallerGroup } from './installer.process';

export { EnvBuildError } from './env-builder';

/** What the node view and `GET /api/nodes/:id/environments` show of one environment. */
export type EnvironmentInfo = { key: string; kind: EnvKind; sizeBytes: number; lastUsedAt: number; state: 'building' | 'ready' | 'in-use' };

/** What a task's environment stage did: shown in the task view. */
export type EnvStageStats = { keys: string[]; cached: boolean; buildMs: number };

/** The environments a task runs in, held (not evictable) until `release`. */
export type PreparedEnvironments = {
  stats: EnvStageStats | null;
  /** Puts VIRTUAL_ENV / NODE_PATH in `env` and the environments' bin dirs first on PATH. */
  apply(env: NodeJS.ProcessEnv): void;
  release(): void;
};

type Entry = { key: string; kind: EnvKind; dir: string; sizeBytes: number; lastUsedAt: number; inUse: number };
type Build = { done: Promise<Entry>; listeners: Set<(line: string) => void> };

const META = '.crawlnest-env.json';
const TMP_PREFIX = '.tmp-';

/**
 * The worker's environment cache: `<workspace>/envs/<key>`. Builds each key once (tasks
 * needing a key being built wait on that build and see its output), in a temp dir renamed
 * into place, so a crash never leaves a half-built environment where a task would use it.
 * Evicts least recently used environments beyond the byte budget, never one in use.
 */
@Injectable()
export class EnvironmentService implements OnModuleInit {
  private readonly log = new Logger(EnvironmentService.name);
  private readonly root: string;
  private readonly ready = new Map<string, Entry>();
  private readonly building = new Map<string, Build>();
  private runtimeList: Runtime[] = [];

  constructor(@Inject(ENV_WORKER_OPTIONS) private readonly opts: EnvWorkerOptions) {
    this.root = join(opts.workspace, 'envs');
  }

  async onModuleInit(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const names = await readdir(this.root);
    // Installers orphaned by a killed worker first: they would keep writing into the dirs removed next.
    for (const name of names.filter((n) => n.startsWith(TMP_PREFIX) && n.endsWith('.pid'))) {
      const pgid = Number((await readFile(join(this.root, name), 'utf8')).trim());
      if (killInstallerGroup(pgid, join(this.root, name.slice(0, -'.pid'.length)))) this.log.warn({ msg: 'stopped an installer left running by a crash', pgid });
    }
    for (const name of names) {
      const dir = join(this.root, name);
      if (name.startsWith(TMP_PREFIX)) {
        this.log.warn({ msg: 'removing a half-built environment left by a crash', dir });
        await rm(dir, { recursive: true, force: true, maxRetries: 5 }).catch((err: unknown) =>
          // Never used (not a key name); the next start tries again. Not worth refusing to start.
          this.log.error({ msg: 'could not remove a half-built environment', dir, err: String(err) }),
        );
      } else if (isEnvKey(name)) {
        const entry = await this.loadEntry(name);
        if (entry) this.ready.set(name, entry);
      }
    }
    this.runtimeList = await probeRuntimes();
    this.log.log({ msg: 'environments loaded', count: this.ready.size, runtimes: this.runtimeList });
    await this.evict();
  }

  runtimes(): Runtime[] {
    return this.runtimeList;
  }

  list(): EnvironmentInfo[] {
    const out: EnvironmentInfo[] = [...this.ready.values()].map((e) => ({
      key: e.key,
      kind: e.kind,
      sizeBytes: e.sizeBytes,
      lastUsedAt: e.lastUsedAt,
      state: e.inUse > 0 ? 'in-use' : 'ready',
    }));
    for (const key of this.building.keys()) {
      out.push({ key, kind: key.startsWith('py-') ? 'python' : 'node', sizeBytes: 0, lastUsedAt: 0, state: 'building' });
    }
    return out;
  }

  /**
   * Builds (or reuses) every environment the spider in `spiderDir` needs and holds them
   * for the task. Installer output goes to `onLine`. Throws EnvBuildError with a message fit
   * for the task's error.
   */
  async prepare(spiderDir: string, onLine: (line: string) => void): Promise<PreparedEnvironments> {
    const specs = await detectSpecs(spiderDir);
    if (!specs.length) return { stats: null, apply: () => undefined, release: () => undefined };
    const started = Date.now();
    const held: Entry[] = [];
    const release = () => {
      for (const e of held.splice(0)) {
        e.inUse--;
        this.touch(e);
      }
    };
    let cached = true;
    try {
      for (const spec of specs) {
        const r = await this.acquire(spec, spiderDir, onLine);
        held.push(r.entry);
        cached &&= r.cached;
      }
    } catch (err) {
      release();
      throw err;
    }
    const stats: EnvStageStats = { keys: held.map((e) => e.key), cached, buildMs: Date.now() - started };
    onLine(`[env] ready in ${stats.buildMs} ms (${cached ? 'cached' : 'built'}): ${stats.keys.join(', ')}`);
    const entries = [...held];
    const linkNodeModules = entries.find((e) => e.kind === 'node');
    if (linkNodeModules) await linkNodeModulesInto(spiderDir, join(linkNodeModules.dir, 'node_modules'));
    return {
      stats,
      apply: (env) => applyEnvironments(env, entries),
      release,
    };
  }

  private async acquire(spec: EnvSpec, spiderDir: string, onLine: (line: string) => void): Promise<{ entry: Entry; cached: boolean }> {
    const version = await this.interpreterVersion(spec.kind);
    const key = envKey(spec, version);
    const have = this.ready.get(key);
    if (have) {
      have.inUse++;
      this.touch(have);
      onLine(`[env] using cached environment ${key}`);
      return { entry: have, cached: true };
    }
    let build = this.building.get(key);
    const listener = (l: string) => onLine(`[env] ${l}`);
    if (build) onLine(`[env] waiting for environment ${key}, being built by another task`);
    else {
      onLine(`[env] building ${spec.kind} environment ${key}`);
      const b: Build = { listeners: new Set(), done: Promise.resolve(null as unknown as Entry) };
      b.done = this.build(key, spec, spiderDir, (l) => b.listeners.forEach((f) => f(l))).finally(() => this.building.delete(key));
      this.building.set(key, b);
      build = b;
    }
    build.listeners.add(listener);
    try {
      const entry = await build.done;
      entry.inUse++;
      this.touch(entry);
      return { entry, cached: false };
    } finally {
      build.listeners.delete(listener);
    }
  }

  private async build(key: string, spec: EnvSpec, spiderDir: string, onLine: (line: string) => void): Promise<Entry> {
    const finalDir = join(this.root, key);
    const tmpDir = join(this.root, `${TMP_PREFIX}${key}-${randomBytes(4).toString('hex')}`);
    const t0 = Date.now();
    await mkdir(tmpDir, { recursive: true });
    try {
      await buildEnvironment({
        spec,
        spiderDir,
        tmpDir,
        finalDir,
        deadline: t0 + this.opts.buildTimeoutMs,
        pipArgs: this.opts.pipArgs,
        npmArgs: this.opts.npmArgs,
        onLine,
      });
      const sizeBytes = await directorySize(tmpDir);
      const meta = { key, kind: spec.kind, files: spec.files.map((f) => f.name), builtAt: new Date().toISOString(), buildMs: Date.now() - t0, sizeBytes };
      await writeFile(join(tmpDir, META), JSON.stringify(meta, null, 2));
      await rm(finalDir, { recursive: true, force: true }); // a stray dir without our index entry
      await rename(tmpDir, finalDir);
      await rm(`${tmpDir}.pid`, { force: true });
      const entry: Entry = { key, kind: spec.kind, dir: finalDir, sizeBytes, lastUsedAt: Date.now(), inUse: 0 };
      this.ready.set(key, entry);
      this.log.log({ msg: 'environment built', key, kind: spec.kind, buildMs: meta.buildMs, sizeBytes });
      // Held by the waiting tasks before eviction runs: bump now so the budget never removes it.
      entry.inUse++;
      void this.evict().finally(() => entry.inUse--);
      return entry;
    } catch (err) {
      await rm(tmpDir, { recursive: true, force: true, maxRetries: 5 });
      await rm(`${tmpDir}.pid`, { force: true });
      if (err instanceof EnvBuildError) throw err;
      throw new EnvBuildError(`${spec.kind} environment ${key}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Removes least recently used environments until the cache fits its budget. */
  private async evict(): Promise<void> {
    if (this.opts.cacheBytes <= 0) return;
    let total = [...this.ready.values()].reduce((n, e) => n + e.sizeBytes, 0);
    const candidates = [...this.ready.values()].sort((a, b) => a.lastUsedAt - b.lastUsedAt);
    for (const e of candidates) {
      if (total <= this.opts.cacheBytes) break;
      if (e.inUse > 0) continue;
      this.ready.delete(e.key);
      total -= e.sizeBytes;
      this.log.log({ msg: 'environment evicted', key: e.key, sizeBytes: e.sizeBytes, lastUsedAt: new Date(e.lastUsedAt).toISOString() });
      // Renamed away first: a crash mid-delete leaves a temp dir (cleaned at start), never a partial env.
      const doomed = join(this.root, `${TMP_PREFIX}evicted-${e.key}-${randomBytes(4).toString('hex')}`);
      await rename(e.dir, doomed);
      await rm(doomed, { recursive: true, force: true });
    }
  }

  private async interpreterVersion(kind: EnvKind): Promise<string> {
    const tool = REQUIRED_TOOL[kind];
    const versionOf = kind === 'python' ? 'python3' : 'node';
    let found = this.runtimeList.find((r) => r.name === tool) && this.runtimeList.find((r) => r.name === versionOf);
    if (!found) {
      this.runtimeList = await probeRuntimes(); // installed since the worker started?
      found = this.runtimeList.find((r) => r.name === tool) && this.runtimeList.find((r) => r.name === versionOf);
    }
    if (!found) throw new EnvBuildError(`${tool} is not installed on this worker (needed for ${DEPENDENCY_FILES[kind].trigger})`);
    return found.version;
  }

  private touch(e: Entry): void {
    e.lastUsedAt = Date.now();
    const t = new Date(e.lastUsedAt);
    // The meta file's mtime is the last use, so LRU order survives a restart.
    utimes(join(e.dir, META), t, t).catch((err: unknown) => this.log.warn({ msg: 'could not record environment use', key: e.key, err: String(err) }));
  }

  private async loadEntry(key: string): Promise<Entry | null> {
    const dir = join(this.root, key);
    try {
      const meta = JSON.parse(await readFile(join(dir, META), 'utf8')) as { kind: EnvKind; sizeBytes: number };
      const st = await lstat(join(dir, META));
      return { key, kind: meta.kind, dir, sizeBytes: meta.sizeBytes, lastUsedAt: st.mtimeMs, inUse: 0 };
    } catch (err) {
      this.log.warn({ msg: 'removing an environment without a readable index file', dir, err: String(err) });
      await rm(dir, { recursive: true, force: true });
      return null;
    }
  }
}

/** The environments a spider directory asks for, by the dependency files at its root. */
export async function detectSpecs(spiderDir: string): Promise<EnvSpec[]> {
  const specs: EnvSpec[] = [];
  for (const kind of ['python', 'node'] as EnvKind[]) {
    const { trigger, extra } = DEPENDENCY_FILES[kind];
    const main = await readRegularFile(join(spiderDir, trigger));
    if (!main) continue;
    const files = [{ name: trigger, content: main }];
    for (const name of extra) {
      const content = await readRegularFile(join(spiderDir, name));
      if (content) files.push({ name, content });
    }
    specs.push({ kind, files });
  }
  return specs;
}

async function readRegularFile(p: string): Promise<Buffer | null> {
  const st = await lstat(p).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  return st?.isFile() ? readFile(p) : null;
}

function applyEnvironments(env: NodeJS.ProcessEnv, entries: Entry[]): void {
  const bins: string[] = [];
  for (const e of entries) {
    if (e.kind === 'python') {
      env.VIRTUAL_ENV = e.dir;
      delete env.PYTHONHOME;
      bins.push(join(e.dir, 'bin'));
    } else {
      env.NODE_PATH = join(e.dir, 'node_modules');
      bins.push(join(e.dir, 'node_modules', '.bin'));
    }
  }
  env.PATH = [...bins, env.PATH ?? ''].filter((p) => p !== '').join(':');
}

/**
 * ES modules ignore NODE_PATH: they resolve from the script's own folder upwards. A
 * `node_modules` link in the spider's folder makes `import` find the environment's packages.
 * A real node_modules shipped with the spider is left alone.
 */
async function linkNodeModulesInto(spiderDir: string, target: string): Promise<void> {
  const link = join(spiderDir, 'node_modules');
  const st = await lstat(link).catch(() => null);
  if (st && !st.isSymbolicLink()) return;
  if (st) await rm(link, { force: true });
  await symlink(target, link).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err; // a concurrent task of this spider linked it first
  });
}
