import { createHash } from 'node:crypto';

/** The two kinds of environment a spider version can ask for, by the files at its root. */
export type EnvKind = 'python' | 'node';

/** One environment a spider needs: its kind, the dependency files that define it, their bytes. */
export type EnvSpec = { kind: EnvKind; files: { name: string; content: Buffer }[] };

/** Dependency files per kind; the first is the trigger, the others join the key when present. */
export const DEPENDENCY_FILES: Record<EnvKind, { trigger: string; extra: string[] }> = {
  python: { trigger: 'requirements.txt', extra: [] },
  node: { trigger: 'package.json', extra: ['package-lock.json', 'npm-shrinkwrap.json'] },
};

/** The tool each kind needs on the worker (named in errors and advertised as a runtime). */
export const REQUIRED_TOOL: Record<EnvKind, string> = { python: 'python3', node: 'npm' };

/**
 * The key of an environment: kind plus the sha256 of its dependency files (name and bytes,
 * in a fixed order) and the interpreter version, so two spiders with the same files share
 * one environment and an interpreter upgrade builds a new one.
 */
export function envKey(spec: EnvSpec, interpreterVersion: string): string {
  const h = createHash('sha256');
  h.update(`${spec.kind}\0${interpreterVersion}\0`);
  for (const f of [...spec.files].sort((a, b) => a.name.localeCompare(b.name))) {
    h.update(`${f.name}\0${f.content.length}\0`);
    h.update(f.content);
  }
  return `${spec.kind === 'python' ? 'py' : 'node'}-${h.digest('hex').slice(0, 32)}`;
}

/** Whether a directory name is a finished environment's key (and not a temp or stray dir). */
export function isEnvKey(name: string): boolean {
  return /^(py|node)-[0-9a-f]{32}$/.test(name);
}

/** Pure: the tools a tree needs on a worker, from the dependency files at its root. */
export function toolsForTree(paths: string[]): string[] {
  const root = new Set(paths);
  return (Object.keys(DEPENDENCY_FILES) as EnvKind[]).filter((k) => root.has(DEPENDENCY_FILES[k].trigger)).map((k) => REQUIRED_TOOL[k]);
}
