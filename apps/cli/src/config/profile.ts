import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from '../errors';

export type Profile = { url: string; token: string };
export type Connection = { url: string; token: string | null; source: string };

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** `$XDG_CONFIG_HOME/crawlnest/config.json`, else `~/.config/crawlnest/config.json` ($HOME honoured). */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'crawlnest', 'config.json');
}

export function loadProfile(path = configPath()): Profile | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const p = JSON.parse(text) as Partial<Profile>;
    if (typeof p.url !== 'string' || typeof p.token !== 'string') throw new Error('expected {"url": "...", "token": "..."}');
    return { url: p.url, token: p.token };
  } catch (e) {
    throw new CliError(`${path} is not a valid profile (${(e as Error).message}); run \`crawlnest login\` again`);
  }
}

/** Writes the profile readable by its owner only: it holds the API token. */
export function saveProfile(p: Profile, path = configPath()): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, JSON.stringify(p, null, 2) + '\n', { mode: 0o600 });
  // writeFileSync keeps the mode of a file that already existed.
  chmodSync(path, 0o600);
  return path;
}

/** Where to talk to and with which token: CRAWLNEST_URL / CRAWLNEST_TOKEN override the profile. */
export function resolveConnection(env: NodeJS.ProcessEnv = process.env): Connection {
  const profile = loadProfile(configPath(env));
  const url = (env.CRAWLNEST_URL || profile?.url || DEFAULT_URL).replace(/\/+$/, '');
  const token = env.CRAWLNEST_TOKEN || profile?.token || null;
  const source = env.CRAWLNEST_TOKEN ? 'CRAWLNEST_TOKEN' : profile ? configPath(env) : 'nothing';
  return { url, token, source };
}
