import { writeFileSync } from 'node:fs';
import { lstat, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvSpec } from '../../env-spec';
import { runInstaller } from './installer.process';
import { LastLines } from './last-lines';

/** Why a build failed, with the installer's last lines: what the task's error shows. */
export class EnvBuildError extends Error {}

export type BuildRequest = {
  spec: EnvSpec;
  /** The spider's directory: pip resolves `-r other.txt` and `-e .` from there. */
  spiderDir: string;
  /** The temporary directory to build in (created, empty). */
  tmpDir: string;
  /** Where the environment will live once renamed; scripts are rewritten to point there. */
  finalDir: string;
  deadline: number;
  pipArgs: string[];
  npmArgs: string[];
  onLine: (line: string) => void;
};

const TAIL_LINES = 15;

/** Builds one environment in `tmpDir`: a venv plus pip install, or npm ci/install. */
export async function buildEnvironment(req: BuildRequest): Promise<void> {
  const tail = new LastLines(TAIL_LINES);
  const onLine = (l: string) => {
    tail.push(l);
    req.onLine(l);
  };
  const env = installerEnv();
  const step = async (argv: string[], cwd: string) => {
    req.onLine(`$ ${argv.join(' ')}`);
    // The group id on disk beside the temp dir: a worker restarted after a kill stops the orphan before removing its files.
    const onSpawn = (pgid: number) => writeFileSync(`${req.tmpDir}.pid`, String(pgid));
    const r = await runInstaller(argv, { cwd, env, deadline: req.deadline, onLine, onSpawn });
    if (!r.ok) {
      const last = tail.text();
      throw new EnvBuildError(`${argv.slice(0, 3).join(' ')} failed (${r.detail})${last ? `:\n${last}` : ''}`);
    }
  };
  if (req.spec.kind === 'python') {
    await step(['python3', '-m', 'venv', req.tmpDir], req.spiderDir);
    const python = join(req.tmpDir, 'bin', 'python');
    await step([python, '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-r', 'requirements.txt', ...req.pipArgs], req.spiderDir);
    await relocateVenvScripts(req.tmpDir, req.finalDir);
  } else {
    for (const f of req.spec.files) await writeFile(join(req.tmpDir, f.name), f.content);
    const hasLock = req.spec.files.some((f) => f.name !== 'package.json');
    const base = hasLock ? ['npm', 'ci'] : ['npm', 'install'];
    await step([...base, '--no-audit', '--no-fund', '--no-update-notifier', ...req.npmArgs], req.tmpDir);
  }
}

/** The worker's environment minus anything that would point pip or npm at another env. */
function installerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONUNBUFFERED: '1' };
  for (const k of Object.keys(env)) if (k.startsWith('CRAWLNEST_')) delete env[k];
  delete env.VIRTUAL_ENV;
  delete env.PYTHONHOME;
  delete env.NODE_PATH;
  return env;
}

/**
 * A venv writes its own absolute path into its scripts' shebangs (`#!<tmp>/bin/python`)
 * and activate files. It is built in a temp dir and renamed, so the path is rewritten to
 * the final one first; otherwise console scripts such as `scrapy` would point at a
 * directory that no longer exists.
 */
async function relocateVenvScripts(tmpDir: string, finalDir: string): Promise<void> {
  const bin = join(tmpDir, 'bin');
  for (const name of await readdir(bin)) {
    const p = join(bin, name);
    const st = await lstat(p);
    if (!st.isFile() || st.size > 1024 * 1024) continue;
    const text = await readFile(p);
    if (!text.includes(tmpDir)) continue;
    await writeFile(p, text.toString('utf8').split(tmpDir).join(finalDir));
  }
  const cfg = join(tmpDir, 'pyvenv.cfg');
  const cfgText = await readFile(cfg, 'utf8');
  if (cfgText.includes(tmpDir)) await writeFile(cfg, cfgText.split(tmpDir).join(finalDir));
}

/** Bytes on disk under `dir` (files and links, not following links). */
export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop() as string;
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else total += (await lstat(p)).size;
    }
  }
  return total;
}
